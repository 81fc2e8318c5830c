//! The one rule for free text in requests (names, addresses, subjects, notes,
//! search terms...): no control characters and no bidirectional overrides or
//! isolates, which would hide or reorder what staff and customers see.
//!
//! Single-line text refuses C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F) and
//! U+202A–U+202E, U+2066–U+2069. Multi-line text (a complaint's body, an SMS
//! message) additionally allows line feeds, CR LF pairs and tabs.
//!
//! The request readers apply [`TextRule::allows`]; the OpenAPI document states
//! the same rule as a `pattern` through the schema types [`SingleLine`] and
//! [`MultiLine`] (and the [`SingleLine`] query parameter type), so a value the
//! schema accepts the reader accepts and the other way round.

use poem_openapi::{
    registry::MetaSchema,
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON},
};
use serde_json::Value;

/// The single-line rule as a regular expression (ECMA 262, Python `re` and
/// Rust `regex` read it alike).
pub const SINGLE_LINE_PATTERN: &str = r"^[^\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]*$";

/// The multi-line rule: as [`SINGLE_LINE_PATTERN`], with tab, line feed and
/// CR LF allowed (a lone CR is not).
pub const MULTI_LINE_PATTERN: &str =
    r"^(?:[^\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\r\n)*$";

/// The Unicode White_Space characters above U+00A0 that the text rules
/// allow (within a character class), written out: `\s` differs between
/// ECMA, Python and Rust.
macro_rules! spaces {
    () => {
        r"\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
    };
}

/// One character that is neither whitespace nor refused by either rule.
macro_rules! not_space {
    () => {
        r"[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202A-\u202F\u205F\u2066-\u2069\u3000]"
    };
}

/// The single-line rule for a field that must not be blank: optional
/// whitespace (Unicode White_Space, what `str::trim` removes), one character
/// that is neither whitespace nor refused by the rule, then anything the rule
/// allows. Written without `\s`, whose meaning differs between engines.
pub const SINGLE_LINE_NONBLANK_PATTERN: &str = concat!(
    "^[ ",
    spaces!(),
    "]*",
    not_space!(),
    r"[^\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]*$"
);

/// Blank single-line text: nothing, or only whitespace (what `str::trim`
/// removes) — where blank text is "nothing", the schema accepts this beside a
/// field's own pattern.
pub const BLANK_PATTERN: &str = concat!("^[ ", spaces!(), "]*$");

/// The multi-line rule for a field that must not be blank (see
/// [`SINGLE_LINE_NONBLANK_PATTERN`]); tabs, line feeds and CR LF count as
/// whitespace.
pub const MULTI_LINE_NONBLANK_PATTERN: &str = concat!(
    r"^(?:[\t\n ",
    spaces!(),
    r"]|\r\n)*",
    not_space!(),
    r"(?:[^\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|\r\n)*$"
);

/// Which characters a text field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRule {
    SingleLine,
    MultiLine,
}

/// Bidirectional embeddings, overrides (U+202A–U+202E) and isolates
/// (U+2066–U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl TextRule {
    /// True when `text` keeps the rule.
    pub fn allows(self, text: &str) -> bool {
        match self {
            TextRule::SingleLine => !text.chars().any(|c| c.is_control() || is_bidi_control(c)),
            TextRule::MultiLine => {
                let mut chars = text.chars().peekable();
                while let Some(c) = chars.next() {
                    let ok = match c {
                        '\t' | '\n' => true,
                        '\r' => chars.next_if_eq(&'\n').is_some(),
                        c => !c.is_control() && !is_bidi_control(c),
                    };
                    if !ok {
                        return false;
                    }
                }
                true
            }
        }
    }

    /// The end of "The <field> ..." when the rule is broken.
    pub fn complaint(self) -> &'static str {
        match self {
            TextRule::SingleLine => {
                "must not contain line breaks, control characters or text direction overrides."
            }
            TextRule::MultiLine => {
                "must not contain control characters (other than line breaks and tabs) or text direction overrides."
            }
        }
    }

    /// The rule as a regular expression (see [`SINGLE_LINE_PATTERN`]).
    pub fn pattern(self) -> &'static str {
        match self {
            TextRule::SingleLine => SINGLE_LINE_PATTERN,
            TextRule::MultiLine => MULTI_LINE_PATTERN,
        }
    }

    /// The rule for text that must not be blank once trimmed, as a regular
    /// expression (see [`SINGLE_LINE_NONBLANK_PATTERN`]).
    pub fn nonblank_pattern(self) -> &'static str {
        match self {
            TextRule::SingleLine => SINGLE_LINE_NONBLANK_PATTERN,
            TextRule::MultiLine => MULTI_LINE_NONBLANK_PATTERN,
        }
    }

    fn schema(self) -> MetaSchema {
        MetaSchema {
            pattern: Some(self.pattern().to_string()),
            ..MetaSchema::new("string")
        }
    }
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $rule:expr, $schema_name:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name(pub String);

        impl $name {
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        crate::inline_type!($name, $schema_name, $rule.schema());

        impl ParseFromJSON for $name {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                match value {
                    Some(Value::String(s)) => Self::parse_from_parameter(&s),
                    _ => Err(ParseError::from("must be a string.")),
                }
            }
        }

        impl ParseFromParameter for $name {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                if $rule.allows(value) {
                    Ok(Self(value.to_string()))
                } else {
                    Err(ParseError::from($rule.complaint()))
                }
            }
        }

        impl ToJSON for $name {
            fn to_json(&self) -> Option<Value> {
                Some(Value::String(self.0.clone()))
            }
        }
    };
}

text_type!(
    /// Single-line free text: a string whose schema carries
    /// [`SINGLE_LINE_PATTERN`] (in request schemas and as a query parameter).
    SingleLine,
    TextRule::SingleLine,
    "string_single_line"
);

text_type!(
    /// Multi-line free text: a string whose schema carries [`MULTI_LINE_PATTERN`].
    MultiLine,
    TextRule::MultiLine,
    "string_multi_line"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_rule() {
        for ok in [
            "",
            "Rahim Uddin",
            "রহিম উদ্দিন",
            "বাড়ি ১২, রোড ৫, ঢাকা",
            "কার্যালয়\u{200C}\u{200D}",
            "100% ফাইবার_লাইন \\ test",
            "emoji 😀",
            "\u{00A0}no-break space",
        ] {
            assert!(TextRule::SingleLine.allows(ok), "{ok:?}");
            assert!(TextRule::MultiLine.allows(ok), "{ok:?}");
        }
        for bad in [
            "a\u{0}b",
            "a\u{1}",
            "\n",
            "line\nbreak",
            "tab\there",
            "cr\r\n",
            "\u{1F}",
            "\u{7F}",
            "\u{80}",
            "\u{85}",
            "\u{9F}",
            "\u{202A}",
            "\u{202B}",
            "\u{202C}",
            "\u{202D}",
            "evil\u{202E}gpj.exe",
            "\u{2066}",
            "\u{2067}",
            "\u{2068}",
            "\u{2069}",
        ] {
            assert!(!TextRule::SingleLine.allows(bad), "{bad:?}");
        }
    }

    #[test]
    fn multi_line_rule() {
        for ok in [
            "line one\nline two",
            "windows\r\nline",
            "\tindented",
            "\n\n\n",
        ] {
            assert!(TextRule::MultiLine.allows(ok), "{ok:?}");
        }
        for bad in [
            "lone\rcr",
            "end\r",
            "\r\r\n",
            "nul\u{0}",
            "vt\u{0B}",
            "ff\u{0C}",
            "esc\u{1B}[31m",
            "\u{7F}",
            "\u{85}",
            "\u{202E}",
            "\u{2066}",
        ] {
            assert!(!TextRule::MultiLine.allows(bad), "{bad:?}");
        }
    }

    /// The patterns the schema states say what the readers check, on every
    /// character that matters and around it.
    #[test]
    fn patterns_match_the_rules() {
        use poem_openapi::validation::{Pattern, Validator};
        let (single, multi) = (
            Pattern::new(SINGLE_LINE_PATTERN),
            Pattern::new(MULTI_LINE_PATTERN),
        );
        // (The validator compiles its regex on every check: a sample, then.)
        let mut samples: Vec<String> = (0u32..0x100)
            .chain(0x2000..0x2080)
            .chain([0x0980, 0x09BE, 0xFEFF, 0x1F600])
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}b"))
            .collect();
        samples.extend(["\r\n", "a\r", "\r", "\r\r\n", "x\r\ny\n", ""].map(String::from));
        for s in &samples {
            // `$` in the regex crate (as in ECMA) matches only at the very end.
            assert_eq!(single.check(s), TextRule::SingleLine.allows(s), "{s:?}");
            assert_eq!(multi.check(s), TextRule::MultiLine.allows(s), "{s:?}");
        }
    }

    /// The non-blank patterns accept what the rule allows and `trim` leaves
    /// something of, and nothing else.
    #[test]
    fn nonblank_patterns_match_the_rules() {
        let single = regex::Regex::new(SINGLE_LINE_NONBLANK_PATTERN).unwrap();
        let multi = regex::Regex::new(MULTI_LINE_NONBLANK_PATTERN).unwrap();
        let blank = regex::Regex::new(BLANK_PATTERN).unwrap();
        let chars: Vec<String> = (0u32..0x100)
            .chain(0x1680..0x1681)
            .chain(0x2000..0x2080)
            .chain([0x0980, 0x3000, 0xFEFF, 0x1F600])
            .filter_map(char::from_u32)
            .map(String::from)
            .chain(["\r\n", "\r"].map(String::from))
            .collect();
        let mut samples = vec![String::new()];
        for c in &chars {
            for s in [
                c.clone(),
                format!(" {c} "),
                format!("a{c}"),
                format!("{c}b"),
            ] {
                samples.push(s);
            }
        }
        samples.extend(["\r\n x", "\t\n", "\u{3000}\u{2028}", "x\r\ny\n"].map(String::from));
        for s in &samples {
            for (rule, re) in [
                (TextRule::SingleLine, &single),
                (TextRule::MultiLine, &multi),
            ] {
                let want = rule.allows(s) && !s.trim().is_empty();
                assert_eq!(re.is_match(s), want, "{rule:?} {s:?}");
            }
            let blank_line = TextRule::SingleLine.allows(s) && s.trim().is_empty();
            assert_eq!(blank.is_match(s), blank_line, "blank {s:?}");
        }
    }
}
