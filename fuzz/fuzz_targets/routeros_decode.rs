//! The RouterOS reply decoder on arbitrary bytes: it must never panic, never
//! claim more bytes than it was given, and what it decodes must encode back to
//! the same bytes.
#![no_main]

#[path = "../../src/drivers/routeros/codec.rs"]
mod codec;
#[path = "../../src/drivers/routeros/reply.rs"]
mod reply;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    while let Ok(Some((words, used))) = codec::decode_sentence(rest) {
        assert!(used > 0 && used <= rest.len());
        let again = codec::encode_sentence(&words).expect("decoded words encode");
        // Minimal prefixes: re-encoding is at most as long as what was read.
        assert!(again.len() <= used);
        let (back, n) = codec::decode_sentence(&again).unwrap().unwrap();
        assert_eq!((back, n), (words.clone(), again.len()));
        let _ = reply::parse(&words);
        rest = &rest[used..];
    }
});
