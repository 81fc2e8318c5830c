//! The layering of the crate, checked on the source text (src/**/*.rs): which
//! folders may import what, and no circle between the crate's top-level
//! modules. See the table [`RULES`]; a file breaking a rule fails this test
//! unless it is in [`ALLOWED_FOR_NOW`] (known failures being fixed elsewhere;
//! an entry that no longer fails fails the test too, so the list only shrinks).
//!
//! What counts as an import: a path `crate::<top>` (also inside grouped
//! `use crate::{a, b::c}`), a `super::` chain that climbs to the crate root,
//! and for other crates a path starting with their name (`poem::`,
//! `rusqlite::`, `use poem_openapi::{..}`). Comments, string literals and
//! `#[cfg(test)] mod` blocks are not read: unit tests may reach further.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

/// One rule: files whose path (relative to src/) starts with one of `under`
/// may not import any of `forbidden`. A forbidden entry is `crate::<top>`
/// for a module of this crate, `crate::*` for every module of the crate but
/// the ones under `except`, or the name of another crate.
struct Rule {
    name: &'static str,
    under: &'static [&'static str],
    forbidden: &'static [&'static str],
    except: &'static [&'static str],
}

const RULES: &[Rule] = &[
    Rule {
        name: "the panel's handlers call ops, never the API's handlers",
        under: &["admin/"],
        forbidden: &["crate::api"],
        except: &[],
    },
    Rule {
        name: "the store knows no HTTP",
        under: &["store/"],
        forbidden: &[
            "crate::api",
            "crate::admin",
            "crate::error",
            "crate::http",
            "poem",
            "poem_openapi",
        ],
        except: &[],
    },
    Rule {
        name: "operations know neither SQLite nor HTTP",
        under: &["ops/"],
        forbidden: &[
            "rusqlite",
            "poem",
            "poem_openapi",
            "crate::api",
            "crate::admin",
            "crate::error",
        ],
        except: &[],
    },
    Rule {
        name: "the adapters and auth never name SQLite types (the store does)",
        under: &["api/", "admin/", "auth/"],
        forbidden: &["rusqlite"],
        except: &[],
    },
    Rule {
        name: "domain imports nothing of the crate",
        under: &["domain/"],
        forbidden: &["crate::*"],
        except: &["domain"],
    },
    Rule {
        name: "the wire contracts sit below the API and the panel",
        under: &["contract/"],
        forbidden: &["crate::api", "crate::admin"],
        except: &[],
    },
    Rule {
        name: "auth knows neither the API nor its error type",
        under: &["auth/"],
        forbidden: &["crate::api", "crate::error"],
        except: &[],
    },
    Rule {
        name: "drivers know neither the store nor HTTP serving",
        under: &["drivers/"],
        forbidden: &["crate::store", "poem"],
        except: &[],
    },
    Rule {
        name: "the metrics registry knows no HTTP",
        under: &["metrics.rs"],
        forbidden: &[
            "poem",
            "poem_openapi",
            "crate::api",
            "crate::state",
            "crate::http",
        ],
        except: &[],
    },
    Rule {
        name: "config sections: the aggregate sits below the service layer",
        under: &["config.rs"],
        forbidden: &[
            "crate::api",
            "crate::admin",
            "crate::ops",
            "crate::state",
            "crate::jobs",
        ],
        except: &[],
    },
];

/// Known failures, fixed on other branches of the same change: (file under
/// src/, what it imports). Empty it as they land.
const ALLOWED_FOR_NOW: &[(&str, &str)] = &[
    // admin -> api: the panel reuses API handlers' shapes and readers.
    ("admin/clients.rs", "crate::api"),
    ("admin/session.rs", "crate::api"),
    ("admin/setup.rs", "crate::api"),
    ("admin/webhooks.rs", "crate::api"),
    // Transactions named outside the store.
    ("api/idempotent.rs", "rusqlite"),
    ("auth/service.rs", "rusqlite"),
];

/// Known circles between top-level modules, as their sorted member list
/// joined by " ": empty it as they are broken.
const CIRCLES_ALLOWED_FOR_NOW: &[&str] = &[];

/// A file's text without comments, string and char literals, and without
/// `#[cfg(test)] mod name { ... }` blocks.
fn code_of(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        if rest.starts_with("/*") {
            let mut depth = 0;
            while i < b.len() {
                if text[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if text[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            continue;
        }
        let prev_ident = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        // Raw strings: r"..", r#".."#, br#".."#.
        if !prev_ident {
            let after_b = if rest.starts_with("br") { 2 } else { 1 };
            if rest.starts_with('r') || rest.starts_with("br") {
                let hashes = rest[after_b..].bytes().take_while(|&c| c == b'#').count();
                if rest[after_b + hashes..].starts_with('"') {
                    let close = format!("\"{}", "#".repeat(hashes));
                    let body = i + after_b + hashes + 1;
                    let end = text[body..]
                        .find(&close)
                        .map_or(b.len(), |e| body + e + close.len());
                    out.push_str("\"\"");
                    i = end;
                    continue;
                }
            }
        }
        match b[i] {
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                out.push_str("\"\"");
                i = j + 1;
            }
            b'\'' => {
                // A char literal ('x', '\n', '\u{..}', '"'), else a lifetime.
                let body = &text[i + 1..];
                let len = if body.starts_with('\\') {
                    body.find('\'').map(|e| e + 1)
                } else {
                    body.chars()
                        .next()
                        .filter(|c| body[c.len_utf8()..].starts_with('\''))
                        .map(|c| c.len_utf8() + 1)
                };
                match len {
                    Some(n) => {
                        out.push_str("''");
                        i += 1 + n;
                    }
                    None => {
                        out.push('\'');
                        i += 1;
                    }
                }
            }
            _ => {
                let c = rest.chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    strip_test_mods(&out)
}

fn strip_test_mods(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        let is_mod = trimmed.starts_with("mod ") || trimmed.starts_with("pub(crate) mod ");
        let brace = trimmed.find('{');
        let semi = trimmed.find(';');
        match (is_mod, brace) {
            (true, Some(open)) if semi.is_none_or(|s| s > open) => {
                let start = after.len() - trimmed.len() + open;
                let mut depth = 0;
                let mut end = after.len();
                for (k, ch) in after[start..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = start + k + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
            }
            _ => {
                out.push_str("#[cfg(test)]");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

fn starts_ident(code: &str, at: usize) -> bool {
    at == 0 || {
        let c = code.as_bytes()[at - 1];
        !(c.is_ascii_alphanumeric() || c == b'_')
    }
}

/// The first identifiers of the items of a `{...}` group starting at `open`.
fn group_heads(code: &str, open: usize) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut expect_head = true;
    for (k, ch) in code[open..].char_indices() {
        match ch {
            '{' => {
                depth += 1;
                if depth == 1 {
                    expect_head = true;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => expect_head = true,
            c if depth == 1 && expect_head && (c.is_ascii_alphabetic() || c == '_') => {
                heads.push(ident_at(&code[open + k..]).to_string());
                expect_head = false;
            }
            _ => {}
        }
    }
    heads
}

/// The crate's top-level modules a file imports, and the other crates it names.
fn imports(code: &str, module_depth: usize) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut tops = BTreeSet::new();
    // crate::x and crate::{x, y}
    for (at, _) in code.match_indices("crate::") {
        if !starts_ident(code, at) {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if rest.starts_with('{') {
            tops.extend(group_heads(code, at + "crate::".len()));
        } else {
            tops.insert(ident_at(rest).to_string());
        }
    }
    // super:: chains that climb to the crate root
    for (at, _) in code.match_indices("super::") {
        if !starts_ident(code, at) || code[..at].ends_with("super::") {
            continue;
        }
        let mut rest = &code[at..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            climbs += 1;
            rest = r;
        }
        if climbs == module_depth {
            if rest.starts_with('{') {
                let open = code.len() - rest.len();
                tops.extend(group_heads(code, open));
            } else {
                tops.insert(ident_at(rest).to_string());
            }
        }
    }
    tops.retain(|t| !t.is_empty() && t != "self");
    let mut externs = BTreeSet::new();
    for name in ["poem", "poem_openapi", "rusqlite"] {
        for (at, _) in code.match_indices(name) {
            let after = &code[at + name.len()..];
            let whole = starts_ident(code, at)
                && !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
            let before = code[..at].trim_end();
            // A path's first segment, not a field or a segment of another path.
            let first = !before.ends_with("::") && !before.ends_with('.');
            if whole && first && (after.starts_with("::") || before.ends_with("use")) {
                externs.insert(name.to_string());
            }
        }
    }
    (tops, externs)
}

struct SourceFile {
    /// Relative to src/, with forward slashes.
    rel: String,
    top: String,
    tops: BTreeSet<String>,
    externs: BTreeSet<String>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn top_level_modules(src: &Path) -> BTreeSet<String> {
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    code_of(&lib)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.strip_prefix("mod ")
                .map(|m| m.trim_end_matches(';').trim().to_string())
        })
        .collect()
}

fn sources() -> (Vec<SourceFile>, BTreeSet<String>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = top_level_modules(&src);
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let mut files = Vec::new();
    for path in paths {
        let rel = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "lib.rs" || rel == "main.rs" {
            continue;
        }
        let parts: Vec<&str> = rel.split('/').collect();
        let top = parts[0].trim_end_matches(".rs").to_string();
        // Module depth: src/a.rs and src/a/mod.rs are 1, src/a/b.rs 2, ...
        let last = parts[parts.len() - 1];
        let depth = if last == "mod.rs" {
            parts.len() - 1
        } else {
            parts.len()
        };
        let code = code_of(&fs::read_to_string(&path).unwrap());
        let (mut tops, externs) = imports(&code, depth);
        tops.retain(|t| modules.contains(t));
        files.push(SourceFile {
            rel,
            top,
            tops,
            externs,
        });
    }
    (files, modules)
}

fn breaks(rule: &Rule, file: &SourceFile) -> Vec<String> {
    let mut found = Vec::new();
    for forbidden in rule.forbidden {
        if *forbidden == "crate::*" {
            for t in &file.tops {
                if *t != file.top && !rule.except.contains(&t.as_str()) {
                    found.push(format!("crate::{t}"));
                }
            }
        } else if let Some(top) = forbidden.strip_prefix("crate::") {
            if file.tops.contains(top) && file.top != top {
                found.push(forbidden.to_string());
            }
        } else if file.externs.contains(*forbidden) {
            found.push(forbidden.to_string());
        }
    }
    found
}

#[test]
fn every_layer_imports_only_from_below() {
    let (files, _) = sources();
    assert!(files.len() > 100, "read only {} files", files.len());
    let mut failures = Vec::new();
    let mut seen_allowed = BTreeSet::new();
    for rule in RULES {
        for file in files
            .iter()
            .filter(|f| rule.under.iter().any(|u| f.rel.starts_with(u)))
        {
            for what in breaks(rule, file) {
                if ALLOWED_FOR_NOW.contains(&(file.rel.as_str(), what.as_str())) {
                    seen_allowed.insert((file.rel.clone(), what));
                } else {
                    failures.push(format!("src/{} imports {what}: {}", file.rel, rule.name));
                }
            }
        }
    }
    for (rel, what) in ALLOWED_FOR_NOW {
        if !seen_allowed.contains(&(rel.to_string(), what.to_string())) {
            failures.push(format!(
                "ALLOWED_FOR_NOW lists (\"{rel}\", \"{what}\"), which no longer fails: remove it"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

/// Strongly connected components of the module graph with more than one member.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(next) = s.graph.get(v) {
            for w in next {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(lw));
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low[v];
                    s.low.insert(v, lv.min(iw));
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.found.push(comp);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn no_circle_between_top_level_modules() {
    let (files, _) = sources();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // Which files make each edge, for the report.
    let mut why: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for f in &files {
        for t in &f.tops {
            if *t != f.top {
                graph.entry(f.top.clone()).or_default().insert(t.clone());
                why.entry((f.top.clone(), t.clone()))
                    .or_default()
                    .push(f.rel.clone());
            }
        }
    }
    let mut report = Vec::new();
    let found = circles(&graph);
    for circle in &found {
        let key = circle.join(" ");
        if CIRCLES_ALLOWED_FOR_NOW.contains(&key.as_str()) {
            continue;
        }
        report.push(format!("circle between: {key}"));
        for a in circle {
            for b in circle {
                if let Some(files) = why.get(&(a.clone(), b.clone())) {
                    report.push(format!("  {a} -> {b}  ({})", files.join(", ")));
                }
            }
        }
    }
    for allowed in CIRCLES_ALLOWED_FOR_NOW {
        if !found.iter().any(|c| c.join(" ") == *allowed) {
            report.push(format!(
                "CIRCLES_ALLOWED_FOR_NOW lists \"{allowed}\", which is no longer a circle: remove it"
            ));
        }
    }
    assert!(report.is_empty(), "\n{}\n", report.join("\n"));
}

/// The reader itself: what it sees and what it does not.
#[test]
fn the_reader_finds_imports_and_skips_comments_strings_and_unit_tests() {
    let text = r##"
use crate::{a::B, c, d::{e, f}};
use super::g::H;
// use crate::commented;
/* use crate::block; */
const S: &str = "crate::in_string";
const R: &str = r#"crate::in_raw"#;
fn f<'a>(x: &'a str) -> char { let _ = crate::path::call(); '"' }
use poem::web::Data;
let x = self.rusqlite.y;
#[cfg(test)]
mod tests {
    use crate::only_tests;
    use rusqlite::Connection;
}
"##;
    let (tops, externs) = imports(&code_of(text), 1);
    let tops: Vec<_> = tops.into_iter().collect();
    assert_eq!(tops, ["a", "c", "d", "g", "path"]);
    let externs: Vec<_> = externs.into_iter().collect();
    assert_eq!(externs, ["poem"]);
}
