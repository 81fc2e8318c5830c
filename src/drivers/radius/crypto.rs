//! The cryptography of RADIUS authentication: User-Password hiding (RFC
//! 2865 §5.2), CHAP (RFC 1994), MS-CHAPv2 (RFC 2759) with its MPPE keys
//! (RFC 3079) and their encryption into MS-MPPE-Send/Recv-Key (RFC 2548),
//! and the HMAC-MD5 Message-Authenticator. The primitives (MD4, MD5, SHA-1,
//! DES, HMAC) are the RustCrypto crates'.

use des::cipher::BlockCipherEncrypt;
use hmac::{Hmac, KeyInit, Mac};
use md5::Digest;
use subtle::ConstantTimeEq;

/// MD5 of the parts, one after another.
pub fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = md5::Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = sha1::Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn md4(data: &[u8]) -> [u8; 16] {
    md4::Md4::digest(data).into()
}

pub fn hmac_md5(key: &[u8], data: &[u8]) -> [u8; 16] {
    let Ok(mut mac) = Hmac::<md5::Md5>::new_from_slice(key) else {
        unreachable!("HMAC takes a key of any length")
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Constant-time equality of two byte strings (their lengths are public).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Reveals a User-Password (RFC 2865 §5.2): 16 to 128 octets, a multiple of
/// 16, each block XORed with MD5(secret + the previous block), the first
/// with the Request Authenticator. Trailing NULs are padding. `None` when
/// the length is wrong.
pub fn user_password(hidden: &[u8], secret: &[u8], authenticator: &[u8; 16]) -> Option<Vec<u8>> {
    if hidden.is_empty() || hidden.len() > 128 || !hidden.len().is_multiple_of(16) {
        return None;
    }
    let mut out = Vec::with_capacity(hidden.len());
    let mut previous: &[u8] = authenticator;
    for block in hidden.chunks(16) {
        let b = md5(&[secret, previous]);
        out.extend(block.iter().zip(b).map(|(c, k)| c ^ k));
        previous = block;
    }
    while out.last() == Some(&0) {
        out.pop();
    }
    Some(out)
}

/// Hides a User-Password (the NAS's side; tests and tools).
pub fn hide_user_password(plain: &[u8], secret: &[u8], authenticator: &[u8; 16]) -> Vec<u8> {
    let mut padded = plain.to_vec();
    let len = plain.len().div_ceil(16).max(1) * 16;
    padded.resize(len, 0);
    let mut out: Vec<u8> = Vec::with_capacity(len);
    for (i, block) in padded.chunks(16).enumerate() {
        let previous: &[u8] = if i == 0 {
            authenticator
        } else {
            &out[(i - 1) * 16..i * 16]
        };
        let b = md5(&[secret, previous]);
        let c: Vec<u8> = block.iter().zip(b).map(|(p, k)| p ^ k).collect();
        out.extend(c);
    }
    out
}

/// Checks a CHAP-Password (identifier octet, then the 16-octet response)
/// against the password: MD5(identifier + password + challenge) (RFC 1994
/// §4.1), the challenge being CHAP-Challenge or the Request Authenticator.
pub fn chap_ok(chap_password: &[u8], password: &[u8], challenge: &[u8]) -> bool {
    if chap_password.len() != 17 {
        return false;
    }
    let want = md5(&[&chap_password[..1], password, challenge]);
    same(&want, &chap_password[1..])
}

/// What an MS-CHAPv2 check answers when the response is right: the
/// MS-CHAP2-Success value and the two MPPE keys (server's send and receive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsChapV2Success {
    /// The identifier octet, then "S=" and 40 upper-case hex digits.
    pub success: Vec<u8>,
    pub send_key: [u8; 16],
    pub recv_key: [u8; 16],
}

/// The NT password hash: MD4 of the password in UTF-16LE (RFC 2759 §8.3).
fn nt_password_hash(password: &str) -> [u8; 16] {
    let utf16: Vec<u8> = password.encode_utf16().flat_map(u16::to_le_bytes).collect();
    md4(&utf16)
}

/// The 8-octet challenge hash (RFC 2759 §8.2): SHA-1 of the peer's
/// challenge, the authenticator's challenge and the user name (without any
/// domain, as the peer used it).
fn challenge_hash(peer: &[u8], authenticator: &[u8], user: &[u8]) -> [u8; 8] {
    let h = sha1(&[peer, authenticator, user]);
    let mut out = [0u8; 8];
    out.copy_from_slice(&h[..8]);
    out
}

/// Seven key octets spread over eight, with parity bits (RFC 2759 §8.6).
fn des_key(seven: &[u8]) -> [u8; 8] {
    let mut k = [0u8; 8];
    k[0] = seven[0];
    k[1] = (seven[0] << 7) | (seven[1] >> 1);
    k[2] = (seven[1] << 6) | (seven[2] >> 2);
    k[3] = (seven[2] << 5) | (seven[3] >> 3);
    k[4] = (seven[3] << 4) | (seven[4] >> 4);
    k[5] = (seven[4] << 3) | (seven[5] >> 5);
    k[6] = (seven[5] << 2) | (seven[6] >> 6);
    k[7] = seven[6] << 1;
    for b in &mut k {
        // Odd parity in the low bit (DES ignores it; kept as RFC 2759 does).
        *b = (*b & 0xfe) | u8::from(b.count_ones() % 2 == 0);
    }
    k
}

/// The 24-octet challenge response (RFC 2759 §8.5): the challenge DES-
/// encrypted under three keys cut from the password hash padded to 21.
fn challenge_response(challenge: &[u8; 8], password_hash: &[u8; 16]) -> [u8; 24] {
    let mut z = [0u8; 21];
    z[..16].copy_from_slice(password_hash);
    let mut out = [0u8; 24];
    for i in 0..3 {
        let cipher = des::Des::new(&des_key(&z[i * 7..i * 7 + 7]).into());
        let mut block = (*challenge).into();
        cipher.encrypt_block(&mut block);
        out[i * 8..i * 8 + 8].copy_from_slice(&block);
    }
    out
}

const MAGIC1: &[u8] = b"Magic server to client signing constant";
const MAGIC2: &[u8] = b"Pad to make it do more than one iteration";
const MPPE_MASTER: &[u8] = b"This is the MPPE Master Key";
const MPPE_CLIENT_SEND: &[u8] =
    b"On the client side, this is the send key; on the server side, it is the receive key.";
const MPPE_CLIENT_RECV: &[u8] =
    b"On the client side, this is the receive key; on the server side, it is the send key.";

/// Checks an MS-CHAP2-Response (identifier, flags, 16-octet peer challenge,
/// 8 reserved, 24-octet NT-Response) for `user` against the password and
/// the MS-CHAP-Challenge; on success, the authenticator response and keys.
pub fn ms_chap_v2(
    response: &[u8],
    challenge: &[u8],
    user: &[u8],
    password: &str,
) -> Option<MsChapV2Success> {
    if response.len() != 50 || challenge.len() != 16 {
        return None;
    }
    let ident = response[0];
    let peer = &response[2..18];
    let nt_response = &response[26..50];
    let hash = nt_password_hash(password);
    let ch = challenge_hash(peer, challenge, user);
    if !same(&challenge_response(&ch, &hash), nt_response) {
        return None;
    }
    // Authenticator response (RFC 2759 §8.7).
    let hash_hash = md4(&hash);
    let digest = sha1(&[&hash_hash, nt_response, MAGIC1]);
    let digest = sha1(&[&digest, &ch, MAGIC2]);
    let mut success = vec![ident];
    success.extend_from_slice(b"S=");
    for b in digest {
        success.extend_from_slice(format!("{b:02X}").as_bytes());
    }
    // MPPE keys (RFC 3079 §3.3-3.4), the server's side.
    let master = sha1(&[&hash_hash, nt_response, MPPE_MASTER]);
    let start_key = |magic: &[u8]| -> [u8; 16] {
        let k = sha1(&[&master[..16], &[0u8; 40], magic, &[0xf2u8; 40]]);
        let mut out = [0u8; 16];
        out.copy_from_slice(&k[..16]);
        out
    };
    Some(MsChapV2Success {
        success,
        send_key: start_key(MPPE_CLIENT_RECV),
        recv_key: start_key(MPPE_CLIENT_SEND),
    })
}

/// The NAS's side of MS-CHAPv2 (tests and tools): the 50-octet response.
pub fn ms_chap_v2_response(
    ident: u8,
    peer_challenge: &[u8; 16],
    challenge: &[u8; 16],
    user: &[u8],
    password: &str,
) -> Vec<u8> {
    let ch = challenge_hash(peer_challenge, challenge, user);
    let nt = challenge_response(&ch, &nt_password_hash(password));
    let mut out = vec![ident, 0];
    out.extend_from_slice(peer_challenge);
    out.extend_from_slice(&[0u8; 8]);
    out.extend_from_slice(&nt);
    out
}

/// An MS-MPPE-Send-Key or -Recv-Key value (RFC 2548 §2.4.2): a two-octet
/// salt (high bit set), then key length, key and zero padding to 32 octets,
/// hidden like a User-Password with the Request Authenticator and the salt.
pub fn mppe_key_attribute(
    key: &[u8; 16],
    salt: [u8; 2],
    secret: &[u8],
    request_authenticator: &[u8; 16],
) -> Vec<u8> {
    let salt = [salt[0] | 0x80, salt[1]];
    let mut plain = [0u8; 32];
    plain[0] = 16;
    plain[1..17].copy_from_slice(key);
    let mut out = salt.to_vec();
    let mut previous: Vec<u8> = [&request_authenticator[..], &salt[..]].concat();
    for block in plain.chunks(16) {
        let b = md5(&[secret, &previous]);
        let c: Vec<u8> = block.iter().zip(b).map(|(p, k)| p ^ k).collect();
        out.extend_from_slice(&c);
        previous = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 2759 §9.2: "User" / "clientPass".
    #[test]
    fn ms_chap_v2_matches_the_rfc_example() {
        let auth_challenge: [u8; 16] = hex("5B5D7C7D7B3F2F3E3C2C602132262628").try_into().unwrap();
        let peer: [u8; 16] = hex("21402324255E262A28295F2B3A337C7E").try_into().unwrap();
        assert_eq!(
            nt_password_hash("clientPass").to_vec(),
            hex("44EBBA8D5312B8D611474411F56989AE")
        );
        assert_eq!(
            challenge_hash(&peer, &auth_challenge, b"User").to_vec(),
            hex("D02E4386BCE91226")
        );
        let response = ms_chap_v2_response(7, &peer, &auth_challenge, b"User", "clientPass");
        assert_eq!(
            response[26..].to_vec(),
            hex("82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF")
        );
        let ok = ms_chap_v2(&response, &auth_challenge, b"User", "clientPass").unwrap();
        assert_eq!(ok.success[0], 7);
        assert_eq!(
            &ok.success[1..],
            b"S=407A5589115FD0D6209F510FE9C04566932CDA56"
        );
        assert!(ms_chap_v2(&response, &auth_challenge, b"User", "clientPasS").is_none());
        assert!(ms_chap_v2(&response, &auth_challenge, b"Usr", "clientPass").is_none());
    }

    /// RFC 3079 §3.5.3 (128-bit keys from the same "clientPass" exchange).
    #[test]
    fn mppe_keys_match_rfc_3079() {
        let auth_challenge: [u8; 16] = hex("5B5D7C7D7B3F2F3E3C2C602132262628").try_into().unwrap();
        let peer: [u8; 16] = hex("21402324255E262A28295F2B3A337C7E").try_into().unwrap();
        let response = ms_chap_v2_response(1, &peer, &auth_challenge, b"User", "clientPass");
        let ok = ms_chap_v2(&response, &auth_challenge, b"User", "clientPass").unwrap();
        // The RFC's SendStartKey128 is the server's send key (Magic3); the
        // server's receive key is the client's send key (Magic2).
        assert_eq!(
            ok.send_key.to_vec(),
            hex("8B7CDC149B993A1BA118CB153F56DCCB")
        );
        assert_eq!(
            ok.recv_key.to_vec(),
            hex("D5F0E9521E3EA9589645E86051C82226")
        );
        assert_ne!(ok.send_key, ok.recv_key);
    }

    #[test]
    fn user_password_round_trip_and_rfc_example() {
        // RFC 2865 §7.1's hidden "arctangent".
        let ra: [u8; 16] = hex("0f403f9473978057bd83d5cb98f4227a").try_into().unwrap();
        let hidden = hex("0dbe708d93d413ce3196e43f782a0aee");
        assert_eq!(
            user_password(&hidden, b"xyzzy5461", &ra).unwrap(),
            b"arctangent"
        );
        let long = b"a password that is longer than sixteen octets";
        let h = hide_user_password(long, b"s3cret", &ra);
        assert_eq!(h.len(), 48);
        assert_eq!(user_password(&h, b"s3cret", &ra).unwrap(), long);
        assert!(user_password(&h[..15], b"s3cret", &ra).is_none());
        assert!(user_password(&[], b"s3cret", &ra).is_none());
        assert!(user_password(&[0; 144], b"s3cret", &ra).is_none());
    }

    #[test]
    fn chap_checks_the_response() {
        let challenge = [9u8; 16];
        let mut good = vec![42u8];
        good.extend_from_slice(&md5(&[&[42], b"pw", &challenge]));
        assert!(chap_ok(&good, b"pw", &challenge));
        assert!(!chap_ok(&good, b"pW", &challenge));
        assert!(!chap_ok(&good[..16], b"pw", &challenge));
    }

    #[test]
    fn mppe_key_attribute_unhides_with_the_same_secret() {
        let key = [0x11u8; 16];
        let ra = [5u8; 16];
        let v = mppe_key_attribute(&key, [0x01, 0x02], b"secret", &ra);
        assert_eq!(v.len(), 34);
        assert_eq!(v[0] & 0x80, 0x80);
        let b1 = md5(&[b"secret", &ra, &v[..2]]);
        let p1: Vec<u8> = v[2..18].iter().zip(b1).map(|(c, k)| c ^ k).collect();
        assert_eq!(p1[0], 16);
        assert_eq!(&p1[1..16], &key[..15]);
    }
}
