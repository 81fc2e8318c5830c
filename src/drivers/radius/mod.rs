//! RADIUS (RFC 2865, 2866, 5176): the packet format and the cryptography of
//! authentication, for the built-in RADIUS server (`crate::radius`).
//!
//! - [`packet`]: the wire format (decoder, encoder, authenticators);
//! - [`crypto`]: User-Password, CHAP, MS-CHAPv2 and MPPE keys.

pub mod crypto;
pub mod packet;
