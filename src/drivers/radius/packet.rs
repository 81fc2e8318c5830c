//! RADIUS packets (RFC 2865 §3, RFC 2866, RFC 5176): a decoder that refuses
//! anything malformed before a byte of it is believed, and the encoder of the
//! packets the appliance sends.
//!
//! Written here rather than taken from a crate: the one maintained Rust crate
//! for the format signs answers without a Message-Authenticator (required
//! since BlastRADIUS) and panics on some inputs; the format itself is a
//! header and a list of type-length-value attributes.

use std::fmt;

/// Code, identifier, length and authenticator.
pub const HEADER_LEN: usize = 20;
/// The largest packet RFC 2865 allows.
pub const MAX_LEN: usize = 4096;
/// The largest value an attribute can carry (its length octet counts the
/// type and length octets too).
pub const MAX_VALUE_LEN: usize = 253;

/// Packet codes the appliance reads or writes.
pub mod code {
    pub const ACCESS_REQUEST: u8 = 1;
    pub const ACCESS_ACCEPT: u8 = 2;
    pub const ACCESS_REJECT: u8 = 3;
    pub const ACCOUNTING_REQUEST: u8 = 4;
    pub const ACCOUNTING_RESPONSE: u8 = 5;
    pub const ACCESS_CHALLENGE: u8 = 11;
    pub const STATUS_SERVER: u8 = 12;
    pub const DISCONNECT_REQUEST: u8 = 40;
    pub const DISCONNECT_ACK: u8 = 41;
    pub const DISCONNECT_NAK: u8 = 42;
    pub const COA_REQUEST: u8 = 43;
    pub const COA_ACK: u8 = 44;
    pub const COA_NAK: u8 = 45;
}

/// Attribute types the appliance reads or writes.
pub mod attr {
    pub const USER_NAME: u8 = 1;
    pub const USER_PASSWORD: u8 = 2;
    pub const CHAP_PASSWORD: u8 = 3;
    pub const NAS_IP_ADDRESS: u8 = 4;
    pub const NAS_PORT: u8 = 5;
    pub const SERVICE_TYPE: u8 = 6;
    pub const FRAMED_PROTOCOL: u8 = 7;
    pub const FRAMED_IP_ADDRESS: u8 = 8;
    pub const REPLY_MESSAGE: u8 = 18;
    pub const STATE: u8 = 24;
    pub const CLASS: u8 = 25;
    pub const VENDOR_SPECIFIC: u8 = 26;
    pub const SESSION_TIMEOUT: u8 = 27;
    pub const CALLED_STATION_ID: u8 = 30;
    pub const CALLING_STATION_ID: u8 = 31;
    pub const NAS_IDENTIFIER: u8 = 32;
    pub const ACCT_STATUS_TYPE: u8 = 40;
    pub const ACCT_DELAY_TIME: u8 = 41;
    pub const ACCT_INPUT_OCTETS: u8 = 42;
    pub const ACCT_OUTPUT_OCTETS: u8 = 43;
    pub const ACCT_SESSION_ID: u8 = 44;
    pub const ACCT_SESSION_TIME: u8 = 46;
    pub const ACCT_INPUT_PACKETS: u8 = 47;
    pub const ACCT_OUTPUT_PACKETS: u8 = 48;
    pub const ACCT_TERMINATE_CAUSE: u8 = 49;
    pub const ACCT_INPUT_GIGAWORDS: u8 = 52;
    pub const ACCT_OUTPUT_GIGAWORDS: u8 = 53;
    pub const CHAP_CHALLENGE: u8 = 60;
    pub const NAS_PORT_TYPE: u8 = 61;
    pub const ACCT_INTERIM_INTERVAL: u8 = 85;
    pub const NAS_PORT_ID: u8 = 87;
    pub const FRAMED_POOL: u8 = 88;
    pub const MESSAGE_AUTHENTICATOR: u8 = 80;
    pub const ERROR_CAUSE: u8 = 101;
    pub const FRAMED_IPV6_POOL: u8 = 100;
    pub const DELEGATED_IPV6_PREFIX: u8 = 123;
    /// RFC 6911.
    pub const DELEGATED_IPV6_PREFIX_POOL: u8 = 171;
}

/// Vendor ids and their attribute types (inside Vendor-Specific).
pub mod vendor {
    /// Microsoft (RFC 2548).
    pub const MICROSOFT: u32 = 311;
    pub const MS_CHAP_RESPONSE: u8 = 1;
    pub const MS_CHAP_ERROR: u8 = 2;
    pub const MS_MPPE_ENCRYPTION_POLICY: u8 = 7;
    pub const MS_MPPE_ENCRYPTION_TYPES: u8 = 8;
    pub const MS_CHAP_CHALLENGE: u8 = 11;
    pub const MS_MPPE_SEND_KEY: u8 = 16;
    pub const MS_MPPE_RECV_KEY: u8 = 17;
    pub const MS_CHAP2_RESPONSE: u8 = 25;
    pub const MS_CHAP2_SUCCESS: u8 = 26;
    /// MikroTik.
    pub const MIKROTIK: u32 = 14988;
    pub const MIKROTIK_RATE_LIMIT: u8 = 8;
    pub const MIKROTIK_ADDRESS_LIST: u8 = 19;
}

/// Why a datagram is not a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Shorter than the 20-octet header.
    TooShort(usize),
    /// The header's length is below 20, above 4096, or more than arrived.
    BadLength { said: usize, got: usize },
    /// An attribute's length is below 2 or runs past the packet's end.
    BadAttribute { at: usize },
    /// A Message-Authenticator whose value is not 16 octets.
    BadMessageAuthenticator,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::TooShort(n) => write!(f, "{n} octets is shorter than a RADIUS header"),
            DecodeError::BadLength { said, got } => {
                write!(
                    f,
                    "length field {said} does not fit a datagram of {got} octets"
                )
            }
            DecodeError::BadAttribute { at } => write!(f, "malformed attribute at offset {at}"),
            DecodeError::BadMessageAuthenticator => {
                write!(f, "Message-Authenticator is not 16 octets")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// A decoded packet, borrowing the datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<'a> {
    pub code: u8,
    pub id: u8,
    pub authenticator: [u8; 16],
    /// Attributes in order: type and value.
    pub attrs: Vec<(u8, &'a [u8])>,
    /// The packet's octets (the header's length; padding after it dropped).
    pub raw: &'a [u8],
}

impl<'a> Packet<'a> {
    /// Decodes a datagram. Octets past the header's length are padding and
    /// ignored (RFC 2865 §3); everything else must parse exactly.
    pub fn decode(datagram: &'a [u8]) -> Result<Self, DecodeError> {
        if datagram.len() < HEADER_LEN {
            return Err(DecodeError::TooShort(datagram.len()));
        }
        let said = usize::from(u16::from_be_bytes([datagram[2], datagram[3]]));
        if !(HEADER_LEN..=MAX_LEN).contains(&said) || said > datagram.len() {
            return Err(DecodeError::BadLength {
                said,
                got: datagram.len(),
            });
        }
        let raw = &datagram[..said];
        let mut authenticator = [0u8; 16];
        authenticator.copy_from_slice(&raw[4..HEADER_LEN]);
        let mut attrs = Vec::new();
        let mut at = HEADER_LEN;
        while at < raw.len() {
            let (Some(&kind), Some(&len)) = (raw.get(at), raw.get(at + 1)) else {
                return Err(DecodeError::BadAttribute { at });
            };
            let len = usize::from(len);
            if len < 2 || at + len > raw.len() {
                return Err(DecodeError::BadAttribute { at });
            }
            let value = &raw[at + 2..at + len];
            if kind == attr::MESSAGE_AUTHENTICATOR && value.len() != 16 {
                return Err(DecodeError::BadMessageAuthenticator);
            }
            attrs.push((kind, value));
            at += len;
        }
        Ok(Packet {
            code: raw[0],
            id: raw[1],
            authenticator,
            attrs,
            raw,
        })
    }

    /// The first value of an attribute.
    pub fn get(&self, kind: u8) -> Option<&'a [u8]> {
        self.attrs.iter().find(|(k, _)| *k == kind).map(|(_, v)| *v)
    }

    /// How many times an attribute appears.
    pub fn count(&self, kind: u8) -> usize {
        self.attrs.iter().filter(|(k, _)| *k == kind).count()
    }

    /// An attribute as text (lossy: a NAS may send any octets).
    pub fn text(&self, kind: u8) -> Option<String> {
        self.get(kind)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// An attribute as a 32-bit integer; `None` when absent or not 4 octets.
    pub fn u32(&self, kind: u8) -> Option<u32> {
        self.get(kind)
            .and_then(|v| <[u8; 4]>::try_from(v).ok())
            .map(u32::from_be_bytes)
    }

    /// An attribute as an IPv4 address.
    pub fn ipv4(&self, kind: u8) -> Option<std::net::Ipv4Addr> {
        self.get(kind)
            .and_then(|v| <[u8; 4]>::try_from(v).ok())
            .map(std::net::Ipv4Addr::from)
    }

    /// The first vendor-specific value of `(vendor, kind)`. Vendor-Specific
    /// attributes whose inner layout is malformed are skipped, not trusted.
    pub fn vendor(&self, vendor: u32, kind: u8) -> Option<&'a [u8]> {
        self.attrs
            .iter()
            .filter(|(k, _)| *k == attr::VENDOR_SPECIFIC)
            .find_map(|(_, v)| vendor_value(v, vendor, kind))
    }

    /// Where the Message-Authenticator's value sits in `raw`, if present.
    pub fn message_authenticator_at(&self) -> Option<usize> {
        let mut at = HEADER_LEN;
        for (kind, value) in &self.attrs {
            if *kind == attr::MESSAGE_AUTHENTICATOR {
                return Some(at + 2);
            }
            at += value.len() + 2;
        }
        None
    }
}

/// The value of sub-attribute `kind` of `vendor` in one Vendor-Specific
/// value (RFC 2865 §5.26: vendor id, then type-length-value entries).
fn vendor_value(v: &[u8], vendor: u32, kind: u8) -> Option<&[u8]> {
    let id = u32::from_be_bytes(v.get(..4)?.try_into().ok()?);
    if id != vendor {
        return None;
    }
    let mut rest = &v[4..];
    while rest.len() >= 2 {
        let len = usize::from(rest[1]);
        if len < 2 || len > rest.len() {
            return None;
        }
        if rest[0] == kind {
            return Some(&rest[2..len]);
        }
        rest = &rest[len..];
    }
    None
}

/// A packet being built: code, identifier and attributes; the
/// authenticators are written by [`Builder::finish_response`] or
/// [`Builder::finish_request`].
#[derive(Debug, Clone)]
pub struct Builder {
    code: u8,
    id: u8,
    attrs: Vec<u8>,
}

/// An attribute or packet that would not fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLong;

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a RADIUS attribute or packet would be too long")
    }
}

impl std::error::Error for TooLong {}

impl Builder {
    pub fn new(code: u8, id: u8) -> Self {
        Self {
            code,
            id,
            attrs: Vec::with_capacity(128),
        }
    }

    /// Adds an attribute; values over 253 octets are refused.
    pub fn add(&mut self, kind: u8, value: &[u8]) -> Result<&mut Self, TooLong> {
        if value.len() > MAX_VALUE_LEN {
            return Err(TooLong);
        }
        self.attrs.push(kind);
        self.attrs.push(value.len() as u8 + 2);
        self.attrs.extend_from_slice(value);
        Ok(self)
    }

    pub fn add_u32(&mut self, kind: u8, value: u32) -> &mut Self {
        self.attrs.extend_from_slice(&[kind, 6]);
        self.attrs.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// Adds a Vendor-Specific attribute holding one sub-attribute.
    pub fn add_vendor(
        &mut self,
        vendor: u32,
        kind: u8,
        value: &[u8],
    ) -> Result<&mut Self, TooLong> {
        if value.len() > MAX_VALUE_LEN - 6 {
            return Err(TooLong);
        }
        let mut v = Vec::with_capacity(value.len() + 6);
        v.extend_from_slice(&vendor.to_be_bytes());
        v.push(kind);
        v.push(value.len() as u8 + 2);
        v.extend_from_slice(value);
        self.add(attr::VENDOR_SPECIFIC, &v)
    }

    /// The header and attributes with `authenticator` in place and, when
    /// `message_authenticator`, a zeroed Message-Authenticator first among
    /// the attributes (BlastRADIUS guidance: first, so that no attacker
    /// chosen prefix precedes it). Answers the packet and where that value is.
    fn assemble(
        &self,
        authenticator: &[u8; 16],
        message_authenticator: bool,
    ) -> Result<(Vec<u8>, Option<usize>), TooLong> {
        let extra = if message_authenticator { 18 } else { 0 };
        let len = HEADER_LEN + extra + self.attrs.len();
        if len > MAX_LEN {
            return Err(TooLong);
        }
        let mut out = Vec::with_capacity(len);
        out.push(self.code);
        out.push(self.id);
        out.extend_from_slice(&(len as u16).to_be_bytes());
        out.extend_from_slice(authenticator);
        let at = message_authenticator.then(|| {
            out.extend_from_slice(&[attr::MESSAGE_AUTHENTICATOR, 18]);
            out.extend_from_slice(&[0u8; 16]);
            HEADER_LEN + 2
        });
        out.extend_from_slice(&self.attrs);
        Ok((out, at))
    }

    /// The packet with `authenticator` in place, its Message-Authenticator
    /// (when asked) computed over it, and then, when `content_signed`, the
    /// authenticator replaced by MD5(packet, secret).
    fn sign(
        &self,
        authenticator: &[u8; 16],
        secret: &[u8],
        message_authenticator: bool,
        content_signed: bool,
    ) -> Result<Vec<u8>, TooLong> {
        let (mut out, at) = self.assemble(authenticator, message_authenticator)?;
        if let Some(at) = at {
            let mac = super::crypto::hmac_md5(secret, &out);
            out[at..at + 16].copy_from_slice(&mac);
        }
        if content_signed {
            let auth = super::crypto::md5(&[&out, secret]);
            out[4..HEADER_LEN].copy_from_slice(&auth);
        }
        Ok(out)
    }

    /// An answer to a request with `request_authenticator`: the
    /// Message-Authenticator (when asked) computed over the packet with the
    /// request's authenticator in place, then the Response Authenticator
    /// MD5(code, id, length, request authenticator, attributes, secret).
    pub fn finish_response(
        &self,
        request_authenticator: &[u8; 16],
        secret: &[u8],
        message_authenticator: bool,
    ) -> Result<Vec<u8>, TooLong> {
        self.sign(request_authenticator, secret, message_authenticator, true)
    }

    /// A request whose authenticator is computed from its content (RFC 2866
    /// §3 for Accounting-Request, RFC 5176 §2.3 for CoA and Disconnect):
    /// MD5(code, id, length, 16 zero octets, attributes, secret). With
    /// `message_authenticator`, that is computed first with the zero
    /// authenticator in place (RFC 5176 §3.3).
    pub fn finish_request(
        &self,
        secret: &[u8],
        message_authenticator: bool,
    ) -> Result<Vec<u8>, TooLong> {
        self.sign(&[0u8; 16], secret, message_authenticator, true)
    }

    /// An Access-Request (for tests and tools): the given random
    /// authenticator, and a Message-Authenticator when asked.
    pub fn finish_access_request(
        &self,
        authenticator: &[u8; 16],
        secret: &[u8],
        message_authenticator: bool,
    ) -> Result<Vec<u8>, TooLong> {
        self.sign(authenticator, secret, message_authenticator, false)
    }
}

/// Whether a request's Message-Authenticator is right: HMAC-MD5 over the
/// packet with that value zeroed (RFC 3579 §3.2), and, in requests whose
/// authenticator is computed from their content (Accounting, CoA and
/// Disconnect), with the authenticator zeroed too, as it was when the value
/// was computed (RFC 5176 §3.3). `None` when it has none.
pub fn message_authenticator_ok(p: &Packet<'_>, secret: &[u8]) -> Option<bool> {
    let at = p.message_authenticator_at()?;
    let mut copy = p.raw.to_vec();
    copy[at..at + 16].fill(0);
    if matches!(
        p.code,
        code::ACCOUNTING_REQUEST | code::COA_REQUEST | code::DISCONNECT_REQUEST
    ) {
        copy[4..HEADER_LEN].fill(0);
    }
    let mac = super::crypto::hmac_md5(secret, &copy);
    Some(super::crypto::same(&mac, &p.raw[at..at + 16]))
}

/// Whether an Accounting-, CoA- or Disconnect-Request's authenticator is
/// MD5(code, id, length, 16 zero octets, attributes, secret).
pub fn request_authenticator_ok(p: &Packet<'_>, secret: &[u8]) -> bool {
    let mut copy = p.raw.to_vec();
    copy[4..HEADER_LEN].fill(0);
    let want = super::crypto::md5(&[&copy, secret]);
    super::crypto::same(&want, &p.authenticator)
}

/// Whether an answer's Response Authenticator is right for the request
/// with `request_authenticator` (the appliance checking a NAS's CoA ACK).
pub fn response_authenticator_ok(
    answer: &Packet<'_>,
    request_authenticator: &[u8; 16],
    secret: &[u8],
) -> bool {
    let mut copy = answer.raw.to_vec();
    copy[4..HEADER_LEN].copy_from_slice(request_authenticator);
    let want = super::crypto::md5(&[&copy, secret]);
    super::crypto::same(&want, &answer.authenticator)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2865 §7.1: "nemo" / "arctangent", secret "xyzzy5461".
    const RFC_REQUEST: [u8; 56] = [
        0x01, 0x00, 0x00, 0x38, 0x0f, 0x40, 0x3f, 0x94, 0x73, 0x97, 0x80, 0x57, 0xbd, 0x83, 0xd5,
        0xcb, 0x98, 0xf4, 0x22, 0x7a, 0x01, 0x06, 0x6e, 0x65, 0x6d, 0x6f, 0x02, 0x12, 0x0d, 0xbe,
        0x70, 0x8d, 0x93, 0xd4, 0x13, 0xce, 0x31, 0x96, 0xe4, 0x3f, 0x78, 0x2a, 0x0a, 0xee, 0x04,
        0x06, 0xc0, 0xa8, 0x01, 0x10, 0x05, 0x06, 0x00, 0x00, 0x00, 0x03,
    ];
    /// The RFC's Access-Accept: Service-Type Login, Login-Service Telnet,
    /// Login-IP-Host 192.168.1.3.
    const RFC_ACCEPT: [u8; 38] = [
        0x02, 0x00, 0x00, 0x26, 0x86, 0xfe, 0x22, 0x0e, 0x76, 0x24, 0xba, 0x2a, 0x10, 0x05, 0xf6,
        0xbf, 0x9b, 0x55, 0xe0, 0xb2, 0x06, 0x06, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x06, 0x00, 0x00,
        0x00, 0x00, 0x0e, 0x06, 0xc0, 0xa8, 0x01, 0x03,
    ];

    #[test]
    fn decodes_the_rfc_example_and_signs_its_answer_byte_for_byte() {
        let p = Packet::decode(&RFC_REQUEST).unwrap();
        assert_eq!((p.code, p.id), (code::ACCESS_REQUEST, 0));
        assert_eq!(p.text(attr::USER_NAME).as_deref(), Some("nemo"));
        assert_eq!(
            p.ipv4(attr::NAS_IP_ADDRESS),
            Some("192.168.1.16".parse().unwrap())
        );
        assert_eq!(p.u32(attr::NAS_PORT), Some(3));
        let mut b = Builder::new(code::ACCESS_ACCEPT, 0);
        b.add_u32(attr::SERVICE_TYPE, 1);
        b.add_u32(15, 0);
        b.add(14, &[192, 168, 1, 3]).unwrap();
        let out = b
            .finish_response(&p.authenticator, b"xyzzy5461", false)
            .unwrap();
        assert_eq!(out, RFC_ACCEPT);
        let answer = Packet::decode(&out).unwrap();
        assert!(response_authenticator_ok(
            &answer,
            &p.authenticator,
            b"xyzzy5461"
        ));
        assert!(!response_authenticator_ok(
            &answer,
            &p.authenticator,
            b"other"
        ));
    }

    #[test]
    fn malformed_datagrams_are_refused() {
        assert_eq!(Packet::decode(&[1; 19]), Err(DecodeError::TooShort(19)));
        let mut long = RFC_REQUEST.to_vec();
        long[3] = 0x39; // says one octet more than arrived
        assert!(matches!(
            Packet::decode(&long),
            Err(DecodeError::BadLength { said: 57, .. })
        ));
        let mut short = RFC_REQUEST.to_vec();
        short[2..4].copy_from_slice(&19u16.to_be_bytes());
        assert!(matches!(
            Packet::decode(&short),
            Err(DecodeError::BadLength { .. })
        ));
        let mut zero = RFC_REQUEST.to_vec();
        zero[21] = 0; // User-Name's length 0 would loop forever
        assert_eq!(
            Packet::decode(&zero),
            Err(DecodeError::BadAttribute { at: 20 })
        );
        let mut over = RFC_REQUEST.to_vec();
        over[51] = 9; // NAS-Port runs past the end
        assert_eq!(
            Packet::decode(&over),
            Err(DecodeError::BadAttribute { at: 50 })
        );
        let mut ma = Builder::new(code::ACCESS_REQUEST, 1);
        ma.add(attr::MESSAGE_AUTHENTICATOR, &[0; 15]).unwrap();
        let bad = ma.finish_access_request(&[7; 16], b"s", false).unwrap();
        assert_eq!(
            Packet::decode(&bad),
            Err(DecodeError::BadMessageAuthenticator)
        );
    }

    #[test]
    fn padding_after_the_length_is_ignored() {
        let mut padded = RFC_REQUEST.to_vec();
        padded.extend_from_slice(&[0xff; 7]);
        let p = Packet::decode(&padded).unwrap();
        assert_eq!(p.raw, &RFC_REQUEST[..]);
    }

    #[test]
    fn message_authenticator_round_trip_and_tamper() {
        let secret = b"a shared secret of some length";
        let mut b = Builder::new(code::ACCESS_REQUEST, 9);
        b.add(attr::USER_NAME, b"alice").unwrap();
        let bytes = b.finish_access_request(&[3; 16], secret, true).unwrap();
        let p = Packet::decode(&bytes).unwrap();
        assert_eq!(p.attrs[0].0, attr::MESSAGE_AUTHENTICATOR);
        assert_eq!(message_authenticator_ok(&p, secret), Some(true));
        assert_eq!(message_authenticator_ok(&p, b"wrong"), Some(false));
        let mut tampered = bytes.clone();
        *tampered.last_mut().unwrap() ^= 1;
        let t = Packet::decode(&tampered).unwrap();
        assert_eq!(message_authenticator_ok(&t, secret), Some(false));
        let plain = Builder::new(code::ACCESS_REQUEST, 9)
            .finish_access_request(&[3; 16], secret, false)
            .unwrap();
        assert_eq!(
            message_authenticator_ok(&Packet::decode(&plain).unwrap(), secret),
            None
        );
    }

    #[test]
    fn signed_requests_verify_and_vendor_values_are_found() {
        let secret = b"coa secret 0123456789";
        let mut b = Builder::new(code::COA_REQUEST, 4);
        b.add_vendor(vendor::MIKROTIK, vendor::MIKROTIK_RATE_LIMIT, b"5M/10M")
            .unwrap();
        let bytes = b.finish_request(secret, true).unwrap();
        let p = Packet::decode(&bytes).unwrap();
        assert!(request_authenticator_ok(&p, secret));
        assert!(!request_authenticator_ok(&p, b"another secret"));
        assert_eq!(message_authenticator_ok(&p, secret), Some(true));
        assert_eq!(message_authenticator_ok(&p, b"another secret"), Some(false));
        assert_eq!(
            p.vendor(vendor::MIKROTIK, vendor::MIKROTIK_RATE_LIMIT),
            Some(&b"5M/10M"[..])
        );
        assert_eq!(
            p.vendor(vendor::MICROSOFT, vendor::MIKROTIK_RATE_LIMIT),
            None
        );
    }

    #[test]
    fn values_too_long_are_refused() {
        let mut b = Builder::new(code::ACCESS_ACCEPT, 1);
        assert!(b.add(attr::REPLY_MESSAGE, &[b'x'; 254]).is_err());
        assert!(b.add(attr::REPLY_MESSAGE, &[b'x'; 253]).is_ok());
    }
}
