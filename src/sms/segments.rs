//! How many SMS parts (credits) a text takes. GSM 03.38 text: 160 septets in
//! one part, 153 per part when concatenated, characters of the extension table
//! (`^ { } \ [ ~ ] | €` and form feed) take two septets and an escape pair is
//! never split. Anything else (any Bangla letter, most emoji) makes the message
//! UCS-2: 70 UTF-16 units in one part, 67 per part, surrogate pairs not split.

/// The encoding a message is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        }
    }
}

/// What a text costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    pub parts: usize,
}

const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1b}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// Septets a character takes in GSM-7, or None if it has no GSM-7 form.
fn gsm_septets(c: char) -> Option<usize> {
    if c != '\u{1b}' && GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts the parts of `text`.
pub fn count(text: &str) -> Segments {
    let septets: Option<Vec<usize>> = text.chars().map(gsm_septets).collect();
    match septets {
        Some(widths) => {
            let units = widths.iter().sum();
            Segments {
                encoding: Encoding::Gsm7,
                units,
                parts: parts(&widths, units, 160, 153),
            }
        }
        None => {
            let widths: Vec<usize> = text.chars().map(char::len_utf16).collect();
            let units = widths.iter().sum();
            Segments {
                encoding: Encoding::Ucs2,
                units,
                parts: parts(&widths, units, 70, 67),
            }
        }
    }
}

/// Packs characters of the given widths into parts without splitting one.
fn parts(widths: &[usize], total: usize, single: usize, multi: usize) -> usize {
    if total == 0 {
        return 1;
    }
    if total <= single {
        return 1;
    }
    let mut parts = 1;
    let mut used = 0;
    for w in widths {
        if used + w > multi {
            parts += 1;
            used = 0;
        }
        used += w;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts_of(text: &str) -> (Encoding, usize, usize) {
        let s = count(text);
        (s.encoding, s.units, s.parts)
    }

    #[test]
    fn gsm7_boundaries() {
        assert_eq!(parts_of(""), (Encoding::Gsm7, 0, 1));
        assert_eq!(parts_of(&"a".repeat(160)), (Encoding::Gsm7, 160, 1));
        assert_eq!(parts_of(&"a".repeat(161)), (Encoding::Gsm7, 161, 2));
        assert_eq!(parts_of(&"a".repeat(306)), (Encoding::Gsm7, 306, 2));
        assert_eq!(parts_of(&"a".repeat(307)), (Encoding::Gsm7, 307, 3));
        assert_eq!(parts_of(&"a".repeat(459)), (Encoding::Gsm7, 459, 3));
        assert_eq!(parts_of(&"a".repeat(460)), (Encoding::Gsm7, 460, 4));
        // GSM-7 letters outside ASCII stay GSM-7.
        assert_eq!(parts_of("Ünïcode? no: Ü é ñ £ ¥ Δ").0, Encoding::Ucs2); // ï is not GSM
        assert_eq!(parts_of("Ü é ñ £ ¥ Δ ß").0, Encoding::Gsm7);
    }

    #[test]
    fn extension_characters_count_two_and_are_not_split() {
        assert_eq!(parts_of("€"), (Encoding::Gsm7, 2, 1));
        assert_eq!(
            parts_of(&format!("{}€", "a".repeat(158))),
            (Encoding::Gsm7, 160, 1)
        );
        assert_eq!(
            parts_of(&format!("{}€", "a".repeat(159))),
            (Encoding::Gsm7, 161, 2)
        );
        // 152 + an escape pair would straddle the 153 boundary: it moves whole.
        let text = format!("{}[{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(parts_of(&text), (Encoding::Gsm7, 306, 3));
        let text = format!("{}[{}", "a".repeat(151), "a".repeat(153));
        assert_eq!(parts_of(&text), (Encoding::Gsm7, 306, 2));
        assert_eq!(parts_of("{}[]~|^\\").1, 16);
    }

    #[test]
    fn bangla_and_emoji_make_ucs2() {
        let bangla = "আপনার বিল পরিশোধ করা হয়েছে";
        let s = count(bangla);
        assert_eq!(s.encoding, Encoding::Ucs2);
        assert_eq!(s.units, bangla.chars().count());
        assert_eq!(s.parts, 1);
        assert_eq!(parts_of(&"ক".repeat(70)), (Encoding::Ucs2, 70, 1));
        assert_eq!(parts_of(&"ক".repeat(71)), (Encoding::Ucs2, 71, 2));
        assert_eq!(parts_of(&"ক".repeat(134)), (Encoding::Ucs2, 134, 2));
        assert_eq!(parts_of(&"ক".repeat(135)), (Encoding::Ucs2, 135, 3));
        // One Bangla letter turns an English text into UCS-2.
        assert_eq!(
            parts_of(&format!("{}ক", "a".repeat(69))),
            (Encoding::Ucs2, 70, 1)
        );
        // A surrogate pair counts two units and is not split.
        assert_eq!(parts_of("😀"), (Encoding::Ucs2, 2, 1));
        let text = format!("{}😀{}", "a".repeat(66), "a".repeat(10));
        assert_eq!(parts_of(&text), (Encoding::Ucs2, 78, 2));
    }
}
