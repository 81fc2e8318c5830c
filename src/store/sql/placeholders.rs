//! SQLite's placeholders in PostgreSQL's spelling: `?1` becomes `$1`, and a
//! bare `?` the next number after the highest seen so far (SQLite's own rule).
//! Quoted text ('...', "...") and comments are left as they are.

/// `?first, ?first+1, ...`: `n` numbered placeholders, comma-separated (a
/// row of `VALUES`).
pub fn numbered(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `sql` with its placeholders written `$n`.
pub fn to_dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut highest = 0usize;
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek().map(|&(_, d)| d) == Some('-') => {
                out.push(c);
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(&(_, d)) = chars.peek() {
                    if d.is_ascii_digit() {
                        digits.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let n = match digits.parse::<usize>() {
                    Ok(n) => n,
                    Err(_) => highest + 1,
                };
                highest = highest.max(n);
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_dollars;

    #[test]
    fn numbered_placeholders_count_up_from_the_first() {
        assert_eq!(super::numbered(11, 3), "?11, ?12, ?13");
        assert_eq!(super::numbered(1, 1), "?1");
    }

    #[test]
    fn numbered_and_bare_placeholders_become_dollars() {
        assert_eq!(
            to_dollars("SELECT a FROM t WHERE a = ?1 AND b = ?2 OR c = ?1"),
            "SELECT a FROM t WHERE a = $1 AND b = $2 OR c = $1"
        );
        assert_eq!(
            to_dollars("VALUES (?, ?, ?5, ?)"),
            "VALUES ($1, $2, $5, $6)"
        );
        assert_eq!(to_dollars("LIMIT ?12 + 0"), "LIMIT $12 + 0");
    }

    #[test]
    fn quoted_text_and_comments_keep_their_question_marks() {
        assert_eq!(
            to_dollars("SELECT '?1', \"a?\" -- why?\nFROM t WHERE x = ?1"),
            "SELECT '?1', \"a?\" -- why?\nFROM t WHERE x = $1"
        );
    }
}
