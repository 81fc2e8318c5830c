//! The RouterOS API wire format: words with a 1–5 byte length prefix, sentences
//! ending with an empty word. Control bytes (a first byte ≥ 0xF8) are refused.

/// The longest word accepted (RouterOS never sends more than a few KB; this
/// bounds memory against a hostile peer).
pub const MAX_WORD: usize = 16 * 1024 * 1024;
/// The most words accepted in one sentence.
pub const MAX_WORDS: usize = 65_536;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("reserved control byte 0x{0:02X} in a length prefix")]
    ControlByte(u8),
    #[error("word of {0} bytes is longer than allowed")]
    WordTooLong(usize),
    #[error("sentence has more than {MAX_WORDS} words")]
    TooManyWords,
    #[error("a word cannot be {0} bytes or longer")]
    Unencodable(usize),
}

/// Appends the length prefix of a word of `len` bytes.
pub fn encode_length(len: usize, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let n = u32::try_from(len).map_err(|_| CodecError::Unencodable(len))?;
    match n {
        0..=0x7F => out.push(n as u8),
        0x80..=0x3FFF => out.extend_from_slice(&((n | 0x8000) as u16).to_be_bytes()),
        0x4000..=0x1F_FFFF => out.extend_from_slice(&(n | 0xC0_0000).to_be_bytes()[1..]),
        0x20_0000..=0x0FFF_FFFF => out.extend_from_slice(&(n | 0xE000_0000).to_be_bytes()),
        _ => {
            out.push(0xF0);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
    Ok(())
}

/// Appends one word.
pub fn encode_word(word: &[u8], out: &mut Vec<u8>) -> Result<(), CodecError> {
    encode_length(word.len(), out)?;
    out.extend_from_slice(word);
    Ok(())
}

/// A whole sentence, with its terminating empty word.
pub fn encode_sentence<W: AsRef<[u8]>>(words: &[W]) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(words.iter().map(|w| w.as_ref().len() + 2).sum::<usize>() + 1);
    for w in words {
        encode_word(w.as_ref(), &mut out)?;
    }
    out.push(0);
    Ok(out)
}

/// Reads a length prefix: `Some((length, prefix bytes))`, or `None` when `buf`
/// does not hold the whole prefix yet.
pub fn decode_length(buf: &[u8]) -> Result<Option<(usize, usize)>, CodecError> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    let (size, initial) = match first {
        0x00..=0x7F => (1, u32::from(first)),
        0x80..=0xBF => (2, u32::from(first & 0x3F)),
        0xC0..=0xDF => (3, u32::from(first & 0x1F)),
        0xE0..=0xEF => (4, u32::from(first & 0x0F)),
        0xF0 => (5, 0),
        _ => return Err(CodecError::ControlByte(first)),
    };
    if buf.len() < size {
        return Ok(None);
    }
    let len = buf[1..size]
        .iter()
        .fold(initial, |acc, b| (acc << 8) | u32::from(*b));
    Ok(Some((len as usize, size)))
}

/// A decoded sentence's words and the bytes it took.
pub type Decoded = (Vec<Vec<u8>>, usize);

/// Reads one sentence from the front of `buf`: `Some((words, bytes used))`, or
/// `None` when more bytes are needed. The empty terminating word is not
/// included in `words`.
pub fn decode_sentence(buf: &[u8]) -> Result<Option<Decoded>, CodecError> {
    let mut words = Vec::new();
    let mut at = 0;
    loop {
        let Some((len, prefix)) = decode_length(&buf[at..])? else {
            return Ok(None);
        };
        if len > MAX_WORD {
            return Err(CodecError::WordTooLong(len));
        }
        at += prefix;
        if len == 0 {
            return Ok(Some((words, at)));
        }
        if buf.len() - at < len {
            return Ok(None);
        }
        if words.len() == MAX_WORDS {
            return Err(CodecError::TooManyWords);
        }
        words.push(buf[at..at + len].to_vec());
        at += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        encode_length(len, &mut out).unwrap();
        out
    }

    #[test]
    fn each_length_form_has_the_documented_bytes() {
        assert_eq!(prefix(0), [0x00]);
        assert_eq!(prefix(0x7F), [0x7F]);
        assert_eq!(prefix(0x80), [0x80, 0x80]);
        assert_eq!(prefix(0x3FFF), [0xBF, 0xFF]);
        assert_eq!(prefix(0x4000), [0xC0, 0x40, 0x00]);
        assert_eq!(prefix(0x1F_FFFF), [0xDF, 0xFF, 0xFF]);
        assert_eq!(prefix(0x20_0000), [0xE0, 0x20, 0x00, 0x00]);
        assert_eq!(prefix(0x0FFF_FFFF), [0xEF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(prefix(0x1000_0000), [0xF0, 0x10, 0x00, 0x00, 0x00]);
        assert_eq!(prefix(0xFFFF_FFFF), [0xF0, 0xFF, 0xFF, 0xFF, 0xFF]);
    }

    #[test]
    fn lengths_round_trip_at_every_boundary() {
        for len in [
            0usize,
            1,
            0x7F,
            0x80,
            0x3FFF,
            0x4000,
            0x1F_FFFF,
            0x20_0000,
            0x0FFF_FFFF,
            0x1000_0000,
            0xFFFF_FFFF,
        ] {
            let p = prefix(len);
            assert_eq!(decode_length(&p).unwrap(), Some((len, p.len())), "{len:#x}");
            // Any shorter slice is "need more".
            for cut in 0..p.len() {
                assert_eq!(decode_length(&p[..cut]).unwrap(), None);
            }
        }
    }

    #[test]
    fn control_bytes_are_refused() {
        for b in 0xF8..=0xFFu8 {
            assert_eq!(decode_length(&[b]), Err(CodecError::ControlByte(b)));
        }
        for b in 0xF1..=0xF7u8 {
            assert!(decode_length(&[b]).is_err());
        }
    }

    #[test]
    fn sentences_round_trip_and_wait_for_more() {
        let long = "x".repeat(0x4000);
        let words = [
            "/login",
            "=name=admin",
            "=password=",
            long.as_str(),
            ".tag=7",
        ];
        let bytes = encode_sentence(&words).unwrap();
        assert_eq!(&bytes[..7], b"\x06/login");
        assert_eq!(*bytes.last().unwrap(), 0);
        let (decoded, used) = decode_sentence(&bytes).unwrap().unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(
            decoded,
            words
                .iter()
                .map(|w| w.as_bytes().to_vec())
                .collect::<Vec<_>>()
        );
        for cut in 0..bytes.len() {
            assert_eq!(decode_sentence(&bytes[..cut]).unwrap(), None, "cut {cut}");
        }
        // Two sentences back to back: the first is read alone.
        let mut two = bytes.clone();
        two.extend(encode_sentence(&["!done"]).unwrap());
        assert_eq!(decode_sentence(&two).unwrap().unwrap().1, bytes.len());
        // An empty sentence is just the terminator.
        assert_eq!(decode_sentence(&[0]).unwrap(), Some((vec![], 1)));
    }

    #[test]
    fn hostile_lengths_are_refused_not_allocated() {
        assert_eq!(
            decode_sentence(&[0xF0, 0x7F, 0xFF, 0xFF, 0xFF]),
            Err(CodecError::WordTooLong(0x7FFF_FFFF))
        );
    }
}
