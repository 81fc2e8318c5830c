//! Reply sentences: `!re`, `!done`, `!trap`, `!fatal`, `!empty`, with the
//! `.tag` that says which command they answer.

use std::collections::BTreeMap;

/// A row's attributes (`=name=value` words).
pub type Row = BTreeMap<String, String>;

/// One reply sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A row of data.
    Re(Row),
    /// The command finished (its attributes, such as `ret`).
    Done(Row),
    /// The command failed; `!done` follows.
    Trap {
        message: String,
        category: Option<u8>,
    },
    /// The router is closing the connection.
    Fatal(String),
    /// A print with no rows (RouterOS ≥ 7.18); `!done` follows.
    Empty,
}

/// A reply and the tag of the command it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tagged {
    pub reply: Reply,
    pub tag: Option<String>,
}

/// Interprets the words of a reply sentence.
pub fn parse(words: &[Vec<u8>]) -> Result<Tagged, String> {
    let text: Vec<String> = words
        .iter()
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    let Some((kind, rest)) = text.split_first() else {
        return Err("an empty reply sentence".into());
    };
    let mut attrs = Row::new();
    let mut tag = None;
    let mut loose = Vec::new();
    for word in rest {
        if let Some(t) = word.strip_prefix(".tag=") {
            tag = Some(t.to_string());
        } else if let Some(attr) = word.strip_prefix('=') {
            let (name, value) = attr.split_once('=').unwrap_or((attr, ""));
            attrs.insert(name.to_string(), value.to_string());
        } else {
            loose.push(word.clone());
        }
    }
    let reply = match kind.as_str() {
        "!re" => Reply::Re(attrs),
        "!done" => Reply::Done(attrs),
        "!trap" => Reply::Trap {
            message: attrs.get("message").cloned().unwrap_or_default(),
            category: attrs.get("category").and_then(|c| c.parse().ok()),
        },
        "!fatal" => Reply::Fatal(
            attrs
                .get("message")
                .cloned()
                .unwrap_or_else(|| loose.join(" ")),
        ),
        "!empty" => Reply::Empty,
        // Never the word itself: it may be any service's answer.
        _ => return Err("not a RouterOS API answer (an unknown reply type)".into()),
    };
    Ok(Tagged { reply, tag })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<Vec<u8>> {
        w.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn each_reply_kind() {
        let t = parse(&words(&[
            "!re",
            "=.id=*1",
            "=name=a=b",
            "=comment=",
            ".tag=3",
        ]))
        .unwrap();
        assert_eq!(t.tag.as_deref(), Some("3"));
        let Reply::Re(row) = t.reply else { panic!() };
        assert_eq!(row["name"], "a=b");
        assert_eq!(row["comment"], "");
        assert_eq!(row[".id"], "*1");
        assert_eq!(
            parse(&words(&["!done", "=ret=*9"])).unwrap().reply,
            Reply::Done(Row::from([("ret".into(), "*9".into())]))
        );
        assert_eq!(
            parse(&words(&["!trap", "=category=1", "=message=no such item"]))
                .unwrap()
                .reply,
            Reply::Trap {
                message: "no such item".into(),
                category: Some(1)
            }
        );
        assert_eq!(
            parse(&words(&["!fatal", "not logged in"])).unwrap().reply,
            Reply::Fatal("not logged in".into())
        );
        assert_eq!(
            parse(&words(&["!empty", ".tag=x"])).unwrap().reply,
            Reply::Empty
        );
        let err = parse(&words(&["TTP/1.1 400 <html>secret</html>"])).unwrap_err();
        assert!(!err.contains("secret"), "{err}");
        assert!(parse(&[]).is_err());
    }
}
