//! Checks the RouterOS simulator on its own, with a tiny raw API client
//! written here (plain TcpStream, words encoded by hand) so the simulator is
//! verified independently of the crate's client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/routeros_sim.rs"]
mod routeros_sim;

use std::{
    collections::BTreeMap,
    io::{ErrorKind, Read, Write},
    net::{SocketAddr, TcpStream},
    time::Duration,
};

use base64::Engine as _;
use routeros_sim::{md5, SimConfig, SimRouter};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// Raw client
// ---------------------------------------------------------------------------

/// Length prefix, written out case by case.
fn prefix(len: usize) -> Vec<u8> {
    let n = len as u32;
    match len {
        0..=0x7F => vec![n as u8],
        0x80..=0x3FFF => vec![0x80 | (n >> 8) as u8, n as u8],
        0x4000..=0x1F_FFFF => vec![0xC0 | (n >> 16) as u8, (n >> 8) as u8, n as u8],
        0x20_0000..=0xFFF_FFFF => vec![
            0xE0 | (n >> 24) as u8,
            (n >> 16) as u8,
            (n >> 8) as u8,
            n as u8,
        ],
        _ => vec![
            0xF0,
            (n >> 24) as u8,
            (n >> 16) as u8,
            (n >> 8) as u8,
            n as u8,
        ],
    }
}

fn sentence_bytes(words: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for w in words {
        out.extend(prefix(w.len()));
        out.extend_from_slice(w.as_bytes());
    }
    out.push(0);
    out
}

struct Raw {
    s: TcpStream,
}

impl Raw {
    fn connect(addr: SocketAddr) -> Raw {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        Raw { s }
    }

    fn send(&mut self, words: &[&str]) {
        self.s.write_all(&sentence_bytes(words)).unwrap();
    }

    fn byte(&mut self) -> u8 {
        let mut b = [0u8; 1];
        self.s.read_exact(&mut b).unwrap();
        b[0]
    }

    /// Reads one word; also returns how many prefix bytes it had.
    fn word_with_prefix(&mut self) -> (String, usize) {
        let first = self.byte();
        let (mut len, extra) = if first & 0x80 == 0 {
            (u32::from(first), 0)
        } else if first & 0xC0 == 0x80 {
            (u32::from(first & 0x3F), 1)
        } else if first & 0xE0 == 0xC0 {
            (u32::from(first & 0x1F), 2)
        } else if first & 0xF0 == 0xE0 {
            (u32::from(first & 0x0F), 3)
        } else {
            assert_eq!(first, 0xF0, "unexpected control byte from the simulator");
            (0, 4)
        };
        for _ in 0..extra {
            len = (len << 8) | u32::from(self.byte());
        }
        let mut buf = vec![0u8; len as usize];
        self.s.read_exact(&mut buf).unwrap();
        (String::from_utf8(buf).unwrap(), extra + 1)
    }

    fn sentence(&mut self) -> Vec<String> {
        let mut words = Vec::new();
        loop {
            let (w, _) = self.word_with_prefix();
            if w.is_empty() {
                return words;
            }
            words.push(w);
        }
    }

    /// Sentences up to and including `!done` (or a `!fatal`).
    fn replies(&mut self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        loop {
            let s = self.sentence();
            let last = s[0] == "!done" || s[0] == "!fatal";
            out.push(s);
            if last {
                return out;
            }
        }
    }

    fn cmd(&mut self, words: &[&str]) -> Vec<Vec<String>> {
        self.send(words);
        self.replies()
    }

    fn login(&mut self, user: &str, pass: &str) -> Vec<Vec<String>> {
        self.cmd(&[
            "/login",
            &format!("=name={user}"),
            &format!("=password={pass}"),
        ])
    }

    /// True when the peer has closed the connection.
    fn closed(&mut self) -> bool {
        let mut b = [0u8; 1];
        match self.s.read(&mut b) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => matches!(
                e.kind(),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
            ),
        }
    }
}

/// `=k=v` words of a sentence as a map (value may contain '=').
fn attrs(sentence: &[String]) -> BTreeMap<String, String> {
    sentence
        .iter()
        .filter_map(|w| w.strip_prefix('='))
        .map(|a| {
            let (k, v) = a.split_once('=').unwrap_or((a, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn names(replies: &[Vec<String>]) -> Vec<String> {
    replies
        .iter()
        .filter(|s| s[0] == "!re")
        .map(|s| attrs(s)["name"].clone())
        .collect()
}

fn logged_in(sim: &SimRouter) -> Raw {
    let mut c = Raw::connect(sim.addr);
    let r = c.login("admin", "secret");
    assert_eq!(r, vec![vec!["!done".to_string()]]);
    c
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------
// API tests
// ---------------------------------------------------------------------------

#[test]
fn md5_matches_rfc_1321_vectors() {
    let vectors = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            "abcdefghijklmnopqrstuvwxyz",
            "c3fcd3d76192e4007dfb496cca67e13b",
        ),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a",
        ),
    ];
    for (input, want) in vectors {
        assert_eq!(hex(&md5(input.as_bytes())), want, "md5({input:?})");
    }
}

#[test]
fn modern_login_and_wrong_password() {
    let sim = SimRouter::start(SimConfig::default());
    let mut c = Raw::connect(sim.addr);
    let r = c.login("admin", "wrong");
    assert_eq!(r.len(), 2);
    assert_eq!(r[0][0], "!trap");
    assert_eq!(attrs(&r[0])["message"], "invalid user name or password (6)");
    assert_eq!(r[1], vec!["!done"]);
    let r = c.login("admin", "secret");
    assert_eq!(r, vec![vec!["!done"]]);
    let r = c.cmd(&["/system/identity/print"]);
    assert_eq!(attrs(&r[0])["name"], "MikroTik");
    assert_eq!(sim.connections(), 1);
    assert_eq!(
        sim.received()[0],
        ["/login", "=name=admin", "=password=wrong"]
    );
}

#[test]
fn command_before_login_is_fatal_and_closes() {
    let sim = SimRouter::start(SimConfig::default());
    let mut c = Raw::connect(sim.addr);
    let r = c.cmd(&["/ppp/secret/print"]);
    assert_eq!(r, vec![vec!["!fatal", "not logged in"]]);
    assert!(c.closed());
}

#[test]
fn legacy_challenge_login() {
    let sim = SimRouter::start(SimConfig {
        legacy_login: true,
        ..SimConfig::default()
    });
    let response = |challenge: &str, password: &str| {
        let ch: Vec<u8> = (0..16)
            .map(|i| u8::from_str_radix(&challenge[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let mut data = vec![0u8];
        data.extend_from_slice(password.as_bytes());
        data.extend_from_slice(&ch);
        format!("=response=00{}", hex(&md5(&data)))
    };

    let mut c = Raw::connect(sim.addr);
    // A modern-style login on an old router just gets a challenge.
    let r = c.login("admin", "secret");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0][0], "!done");
    let challenge = attrs(&r[0])["ret"].clone();
    assert_eq!(challenge.len(), 32);
    assert!(challenge.bytes().all(|b| b.is_ascii_hexdigit()));
    let r = c.cmd(&["/login", "=name=admin", &response(&challenge, "nope")]);
    assert_eq!(r[0][0], "!trap");
    assert_eq!(attrs(&r[0])["message"], "invalid user name or password (6)");
    assert_eq!(r[1], vec!["!done"]);

    let r = c.cmd(&["/login"]);
    let challenge2 = attrs(&r[0])["ret"].clone();
    assert_ne!(challenge, challenge2, "fresh random challenge");
    let r = c.cmd(&["/login", "=name=admin", &response(&challenge2, "secret")]);
    assert_eq!(r, vec![vec!["!done"]]);
    let r = c.cmd(&["/system/resource/print", "=.proplist=version"]);
    assert_eq!(r[0], vec!["!re", "=version=7.16.2 (stable)"]);
}

fn seed(c: &mut Raw) -> Vec<String> {
    let mut ids = Vec::new();
    for words in [
        &["=name=a", "=profile=p1", "=rate=10", "=comment=x=y"][..],
        &["=name=b", "=profile=p2", "=rate=5"][..],
        &["=name=c", "=profile=p1", "=rate=20", "=disabled=true"][..],
    ] {
        let mut cmd = vec!["/ppp/secret/add"];
        cmd.extend_from_slice(words);
        let r = c.cmd(&cmd);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0][0], "!done");
        ids.push(attrs(&r[0])["ret"].clone());
    }
    ids
}

#[test]
fn add_print_proplist_and_queries() {
    let sim = SimRouter::start(SimConfig::default());
    let mut c = logged_in(&sim);
    let ids = seed(&mut c);
    assert_eq!(ids, ["*1", "*2", "*3"]);

    let r = c.cmd(&["/ppp/secret/print"]);
    assert_eq!(r.len(), 4);
    assert_eq!(r[0][0], "!re");
    assert_eq!(r[0][1], "=.id=*1");
    assert_eq!(attrs(&r[0])["comment"], "x=y");
    assert_eq!(r[3], vec!["!done"]);

    // .proplist: only those keys, in that order, absent ones skipped.
    let r = c.cmd(&["/ppp/secret/print", "=.proplist=rate,.id,comment"]);
    assert_eq!(r[0], vec!["!re", "=rate=10", "=.id=*1", "=comment=x=y"]);
    assert_eq!(r[1], vec!["!re", "=rate=5", "=.id=*2"]);

    let q = |c: &mut Raw, qs: &[&str]| {
        let mut cmd = vec!["/ppp/secret/print"];
        cmd.extend_from_slice(qs);
        names(&c.cmd(&cmd))
    };
    assert_eq!(q(&mut c, &["?profile=p1"]), ["a", "c"]);
    assert_eq!(q(&mut c, &["?comment"]), ["a"]);
    assert_eq!(q(&mut c, &["?-comment"]), ["b", "c"]);
    // Numeric, not lexicographic: "5" < "10" and "10" > "9".
    assert_eq!(q(&mut c, &["?<rate=10"]), ["b"]);
    assert_eq!(q(&mut c, &["?>rate=9"]), ["a", "c"]);
    assert_eq!(q(&mut c, &["?<name=b"]), ["a"]);
    assert_eq!(q(&mut c, &["?name=a", "?name=b", "?#|"]), ["a", "b"]);
    assert_eq!(q(&mut c, &["?profile=p1", "?#!"]), ["b"]);
    assert_eq!(
        q(&mut c, &["?name=a", "?name=b", "?name=c", "?#||"]),
        ["a", "b", "c"]
    );
    assert_eq!(q(&mut c, &["?profile=p1", "?-disabled"]), ["a"]);
    assert_eq!(
        q(&mut c, &["?profile=p2", "?disabled", "?#|", "?#!"]),
        ["a"]
    );
    assert!(q(&mut c, &["?name=zzz"]).is_empty());

    // getall is print; count-only answers in =ret=.
    assert_eq!(names(&c.cmd(&["/ppp/secret/getall"])), ["a", "b", "c"]);
    let r = c.cmd(&["/ppp/secret/print", "=count-only=", "?profile=p1"]);
    assert_eq!(r, vec![vec!["!done", "=ret=2"]]);

    // Another menu shares the global id counter.
    let r = c.cmd(&["/ip/pool/add", "=name=pool1", "=ranges=10.0.0.2-10.0.0.254"]);
    assert_eq!(attrs(&r[0])["ret"], "*4");
    assert_eq!(sim.rows("/ip/pool")[0]["ranges"], "10.0.0.2-10.0.0.254");
    assert_eq!(sim.rows("/ppp/secret").len(), 3);
}

#[test]
fn set_remove_and_unknown_ids() {
    let sim = SimRouter::start(SimConfig::default());
    let mut c = logged_in(&sim);
    let ids = seed(&mut c);

    let r = c.cmd(&["/ppp/secret/set", "=.id=*2", "=profile=p9", "=comment="]);
    assert_eq!(r, vec![vec!["!done"]]);
    let row = &sim.rows("/ppp/secret")[1];
    assert_eq!(row["profile"], "p9");
    assert_eq!(row["comment"], "");
    assert_eq!(row[".id"], ids[1]);

    let r = c.cmd(&["/ppp/secret/set", "=.id=*99", "=profile=p9"]);
    assert_eq!(r[0][0], "!trap");
    assert_eq!(attrs(&r[0])["message"], "no such item");
    assert_eq!(r[1], vec!["!done"]);

    let r = c.cmd(&["/ppp/secret/set", "=profile=p9"]);
    assert_eq!(r[0][0], "!trap");
    assert_eq!(r.last().unwrap(), &vec!["!done".to_string()]);

    let r = c.cmd(&["/ppp/secret/remove", "=.id=*99"]);
    assert_eq!(attrs(&r[0])["message"], "no such item");
    let r = c.cmd(&["/ppp/secret/remove"]);
    assert_eq!(r[0][0], "!trap");

    let r = c.cmd(&["/ppp/secret/remove", "=.id=*1,*3"]);
    assert_eq!(r, vec![vec!["!done"]]);
    let rows = sim.rows("/ppp/secret");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "b");

    // Hand-made rows take the next id and are visible to the API.
    let id = sim.insert("/ppp/active", &[("name", "b"), ("address", "10.0.0.9")]);
    assert_eq!(id, "*4");
    let r = c.cmd(&["/ppp/active/print", "?name=b"]);
    assert_eq!(attrs(&r[0])["address"], "10.0.0.9");
    let r = c.cmd(&["/ppp/active/remove", &format!("=.id={id}")]);
    assert_eq!(r, vec![vec!["!done"]]);
    assert!(sim.rows("/ppp/active").is_empty());
}

#[test]
fn duplicate_secret_name_traps() {
    let sim = SimRouter::start(SimConfig::default());
    let mut c = logged_in(&sim);
    for path in ["/ppp/secret/add", "/ip/hotspot/user/add"] {
        let r = c.cmd(&[path, "=name=dup", "=password=x"]);
        assert_eq!(r[0][0], "!done");
        let r = c.cmd(&[path, "=name=dup", "=password=y"]);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0][0], "!trap");
        assert_eq!(
            attrs(&r[0])["message"],
            "failure: secret with the same name already exists"
        );
        assert_eq!(r[1], vec!["!done"]);
    }
    // Other menus allow duplicates.
    c.cmd(&[
        "/ip/firewall/address-list/add",
        "=list=blocked",
        "=address=1.2.3.4",
    ]);
    let r = c.cmd(&[
        "/ip/firewall/address-list/add",
        "=list=blocked",
        "=address=1.2.3.4",
    ]);
    assert_eq!(r[0][0], "!done");
    assert_eq!(sim.rows("/ppp/secret").len(), 1);
}

#[test]
fn tags_are_echoed_on_every_reply() {
    let sim = SimRouter::start(SimConfig::default());
    let mut c = logged_in(&sim);
    seed(&mut c);
    // Two commands in flight before reading anything.
    c.send(&["/ppp/secret/print", ".tag=first", "?profile=p1"]);
    c.send(&["/ppp/secret/set", "=.id=*77", ".tag=second"]);
    c.send(&["/cancel", "=tag=first", ".tag=third"]);
    let first = c.replies();
    assert_eq!(first.len(), 3);
    for s in &first {
        assert!(s.contains(&".tag=first".to_string()), "{s:?}");
    }
    let second = c.replies();
    assert_eq!(second[0][0], "!trap");
    assert!(second
        .iter()
        .all(|s| s.contains(&".tag=second".to_string())));
    let third = c.replies();
    assert_eq!(third, vec![vec!["!done", ".tag=third"]]);
}

#[test]
fn empty_replies_mode() {
    let sim = SimRouter::start(SimConfig {
        empty_replies: true,
        ..SimConfig::default()
    });
    let mut c = logged_in(&sim);
    let r = c.cmd(&["/ppp/active/print", ".tag=7"]);
    assert_eq!(r, vec![vec!["!empty", ".tag=7"], vec!["!done", ".tag=7"]]);
    sim.insert("/ppp/active", &[("name", "u")]);
    let r = c.cmd(&["/ppp/active/print"]);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0][0], "!re");

    let plain = SimRouter::start(SimConfig::default());
    let mut c = logged_in(&plain);
    assert_eq!(c.cmd(&["/ppp/active/print"]), vec![vec!["!done"]]);
}

#[test]
fn control_byte_closes_connection() {
    let sim = SimRouter::start(SimConfig::default());
    let mut c = logged_in(&sim);
    c.s.write_all(&[0xF8]).unwrap();
    assert!(c.closed());
}

#[test]
fn long_words_round_trip() {
    assert_eq!(prefix(0x7F).len(), 1);
    assert_eq!(prefix(200), [0x80, 200]);
    assert_eq!(prefix(20_000), [0xC0, 0x4E, 0x20]);
    assert_eq!(prefix(0x20_0000), [0xE0, 0x20, 0x00, 0x00]);
    assert_eq!(prefix(0x1000_0000), [0xF0, 0x10, 0x00, 0x00, 0x00]);

    let sim = SimRouter::start(SimConfig::default());
    let mut c = logged_in(&sim);
    for (n, prefix_len) in [(200usize, 2usize), (20_000, 3)] {
        let comment: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let word = format!("=comment={comment}");
        let name = format!("=name=long{n}");
        let r = c.cmd(&["/queue/simple/add", &name, &word]);
        assert_eq!(r[0][0], "!done");
        assert_eq!(
            sim.received().last().unwrap()[2],
            word,
            "simulator decoded the long word"
        );
        // Read the reply word by word to see its prefix length.
        c.send(&[
            "/queue/simple/print",
            "=.proplist=comment",
            &format!("?name=long{n}"),
        ]);
        let (re, _) = c.word_with_prefix();
        assert_eq!(re, "!re");
        let (got, plen) = c.word_with_prefix();
        assert_eq!(got, word);
        assert_eq!(
            plen,
            prefix_len,
            "prefix bytes for a {} byte word",
            word.len()
        );
        assert_eq!(c.sentence(), Vec::<String>::new());
        assert_eq!(c.sentence(), vec!["!done"]);
    }
}

#[test]
fn system_menus_cancel_quit_and_unknown_commands() {
    let sim = SimRouter::start(SimConfig::default());
    sim.set_identity("core-1");
    sim.set_resource("cpu-load", "42");
    let mut c = logged_in(&sim);
    let r = c.cmd(&["/system/resource/print"]);
    let res = attrs(&r[0]);
    assert_eq!(res["uptime"], "1w2d3h4m5s");
    assert_eq!(res["version"], "7.16.2 (stable)");
    assert_eq!(res["cpu-load"], "42");
    assert_eq!(res["free-memory"], "123456789");
    assert_eq!(res["total-memory"], "268435456");
    assert_eq!(res["board-name"], "CCR2004-16G-2S+");
    assert_eq!(res["architecture-name"], "arm64");
    assert_eq!(r[1], vec!["!done"]);
    let r = c.cmd(&["/system/identity/print"]);
    assert_eq!(r[0], vec!["!re", "=name=core-1"]);

    let r = c.cmd(&["/cancel", "=tag=5"]);
    assert_eq!(r, vec![vec!["!done"]]);
    let r = c.cmd(&["/foo"]);
    assert_eq!(attrs(&r[0])["message"], "no such command prefix");
    assert_eq!(r[1], vec!["!done"]);
    let r = c.cmd(&["/ppp/secret/frobnicate"]);
    assert_eq!(r[0][0], "!trap");

    let r = c.cmd(&["/quit"]);
    assert_eq!(r, vec![vec!["!fatal", "session terminated on request"]]);
    assert!(c.closed());
}

#[test]
fn hang_gives_no_replies() {
    let sim = SimRouter::start(SimConfig::default());
    sim.set_hang(true);
    let mut c = Raw::connect(sim.addr);
    c.s.set_read_timeout(Some(Duration::from_millis(150)))
        .unwrap();
    c.send(&["/login", "=name=admin", "=password=secret"]);
    let mut b = [0u8; 1];
    let err = c.s.read(&mut b).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut
    ));
    assert_eq!(sim.received().len(), 1, "still recorded");
    sim.set_hang(false);
    let c2 = logged_in(&sim);
    drop(c2);
    assert_eq!(sim.connections(), 2);
}

#[test]
fn kill_closes_connections_and_refuses_new_ones() {
    let sim = SimRouter::start(SimConfig::default());
    let addr = sim.addr;
    let mut c = logged_in(&sim);
    sim.kill();
    assert!(c.closed());
    assert!(TcpStream::connect(addr).is_err());
    sim.kill(); // idempotent
}

// ---------------------------------------------------------------------------
// REST front end
// ---------------------------------------------------------------------------

fn http(method: &str, url: &str, auth: Option<(&str, &str)>, body: Option<Value>) -> (u16, Value) {
    let mut b = ureq::http::Request::builder().method(method).uri(url);
    if let Some((u, p)) = auth {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
        b = b.header("Authorization", format!("Basic {token}"));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(2)))
        .build()
        .into();
    let resp = match body {
        Some(v) => agent.run(
            b.header("Content-Type", "application/json")
                .body(serde_json::to_vec(&v).unwrap())
                .unwrap(),
        ),
        None => agent.run(b.body(()).unwrap()),
    }
    .unwrap();
    let status = resp.status().as_u16();
    let text = resp.into_body().read_to_string().unwrap_or_default();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, value)
}

const AUTH: Option<(&str, &str)> = Some(("admin", "secret"));

#[test]
fn rest_auth() {
    let sim = SimRouter::start(SimConfig::default());
    let base = sim.start_rest();
    assert!(base.starts_with("http://127.0.0.1:"));
    let url = format!("{base}/rest/ppp/secret");
    let (status, body) = http("GET", &url, None, None);
    assert_eq!(status, 401);
    assert_eq!(body, json!({"error": 401, "message": "Unauthorized"}));
    let (status, _) = http("GET", &url, Some(("admin", "bad")), None);
    assert_eq!(status, 401);
    let (status, body) = http("GET", &url, AUTH, None);
    assert_eq!(status, 200);
    assert_eq!(body, json!([]));
}

#[test]
fn rest_crud_and_print() {
    let sim = SimRouter::start(SimConfig::default());
    let base = sim.start_rest();
    let menu = format!("{base}/rest/ppp/secret");

    let (status, row) = http(
        "PUT",
        &menu,
        AUTH,
        Some(json!({"name": "u1", "password": "p", "profile": "home"})),
    );
    assert_eq!(status, 200);
    assert_eq!(
        row,
        json!({".id": "*1", "name": "u1", "password": "p", "profile": "home"})
    );
    let (_, row2) = http(
        "PUT",
        &menu,
        AUTH,
        Some(json!({"name": "u2", "password": "q", "profile": "biz"})),
    );
    assert_eq!(row2[".id"], "*2");
    sim.insert("/ppp/secret", &[("name", "u3"), ("profile", "home")]);

    let (status, err) = http("PUT", &menu, AUTH, Some(json!({"name": "u1"})));
    assert_eq!(status, 400);
    assert_eq!(
        err,
        json!({"error": 400, "message": "Bad Request",
               "detail": "failure: secret with the same name already exists"})
    );

    let (_, all) = http("GET", &menu, AUTH, None);
    assert_eq!(all.as_array().unwrap().len(), 3);
    let (_, home) = http("GET", &format!("{menu}?profile=home"), AUTH, None);
    assert_eq!(home.as_array().unwrap().len(), 2);
    let (_, names) = http("GET", &format!("{menu}?.proplist=name"), AUTH, None);
    assert_eq!(
        names,
        json!([{"name": "u1"}, {"name": "u2"}, {"name": "u3"}])
    );

    let (status, one) = http("GET", &format!("{menu}/%2A2"), AUTH, None);
    assert_eq!(status, 200);
    assert_eq!(one["name"], "u2");
    let (status, one) = http("GET", &format!("{menu}/*1"), AUTH, None);
    assert_eq!(status, 200);
    assert_eq!(one["name"], "u1");
    let (status, nf) = http("GET", &format!("{menu}/*99"), AUTH, None);
    assert_eq!(status, 404);
    assert_eq!(nf, json!({"error": 404, "message": "Not Found"}));

    let (status, patched) = http(
        "PATCH",
        &format!("{menu}/%2A2"),
        AUTH,
        Some(json!({"profile": "home", "disabled": "true"})),
    );
    assert_eq!(status, 200);
    assert_eq!(patched["profile"], "home");
    assert_eq!(patched["disabled"], "true");
    assert_eq!(sim.rows("/ppp/secret")[1]["profile"], "home");
    let (status, _) = http("PATCH", &format!("{menu}/*99"), AUTH, Some(json!({})));
    assert_eq!(status, 404);

    let (status, printed) = http(
        "POST",
        &format!("{menu}/print"),
        AUTH,
        Some(json!({".proplist": ["name", ".id"], ".query": ["profile=home"]})),
    );
    assert_eq!(status, 200);
    assert_eq!(
        printed,
        json!([
            {"name": "u1", ".id": "*1"},
            {"name": "u2", ".id": "*2"},
            {"name": "u3", ".id": "*3"}
        ])
    );

    let (status, body) = http("DELETE", &format!("{menu}/*1"), AUTH, None);
    assert_eq!(status, 204);
    assert_eq!(body, Value::Null);
    let (status, _) = http("DELETE", &format!("{menu}/*1"), AUTH, None);
    assert_eq!(status, 404);

    let (status, body) = http(
        "POST",
        &format!("{menu}/remove"),
        AUTH,
        Some(json!({".id": "*3"})),
    );
    assert_eq!(status, 200);
    assert_eq!(body, json!([]));
    let rows = sim.rows("/ppp/secret");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "u2");

    let (status, res) = http("GET", &format!("{base}/rest/system/resource"), AUTH, None);
    assert_eq!(status, 200);
    assert_eq!(res["version"], "7.16.2 (stable)");
    assert_eq!(res["board-name"], "CCR2004-16G-2S+");
    assert!(!sim.rest_requests().is_empty());
}
