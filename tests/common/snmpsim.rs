//! A real SNMP agent for tests: snmpsim (PyPI `snmpsim` 1.2.2) serving the project's own
//! recordings from `tests/snmp/*.snmprec` on a loopback UDP port.
//!
//! * SNMPv1/v2c: the community is the recording's file stem
//!   (`huawei-ma56xx-gpon.snmprec` answers community `huawei-ma56xx-gpon`).
//! * SNMPv3 ([`SnmpSim::start_v3`]): one USM user with HMAC-SHA-96 + AES-128 (CFB); the
//!   **context name selects the recording**: context name = file stem (stems up to 32
//!   chars; longer ones register as the md5 hex of the stem). The default (empty)
//!   context name is answered from the FIRST recording given. (snmpsim 1.2.2's own
//!   empty-context fallback is dead under pysnmp 7; the venv's
//!   `ispbills-snmpsim-responder` wrapper, run with `SNMPSIM_DEFAULT_CONTEXT=<stem>`,
//!   supplies it. See scripts/snmpsim-setup.)
//!
//! `scripts/snmpsim-setup` installs snmpsim into a venv (once per test process). As root,
//! snmpsim must drop privileges: it is started with `--process-user=nobody
//! --process-group=nogroup`, so the data and cache directories are made readable/writable
//! for that user.
//!
//! The helper also carries a tiny SNMPv2c client written from scratch (BER encoded by hand,
//! no SNMP crate) used to wait for readiness and by the self-test, so the simulator is
//! checked independently of the crate's own client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    fs,
    io::{self, ErrorKind},
    net::{Ipv4Addr, SocketAddr, UdpSocket},
    os::unix::fs::{MetadataExt, PermissionsExt},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicI32, Ordering},
        OnceLock,
    },
    thread,
    time::{Duration, Instant},
};

use tempfile::TempDir;

/// sysDescr.0, the OID the readiness probe asks for.
pub const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
/// sysObjectID.0
pub const SYS_OBJECT_ID: &str = "1.3.6.1.2.1.1.2.0";

/// Base wait for the first answer; [`ready_timeout`] adds time per recording because
/// snmpsim indexes every data file before it listens (~8 s for 501 files here).
const READY_TIMEOUT: Duration = Duration::from_secs(20);

fn ready_timeout(files: usize) -> Duration {
    READY_TIMEOUT + Duration::from_millis(100) * u32::try_from(files).unwrap_or(u32::MAX)
}

/// A running snmpsim-command-responder on 127.0.0.1:`port`.
pub struct SnmpSim {
    pub port: u16,
    child: Child,
    dir: TempDir,
}

/// SNMPv3 USM settings for [`SnmpSim::start_v3`].
struct V3User<'a> {
    user: &'a str,
    auth: &'a str,
    privacy: &'a str,
}

impl SnmpSim {
    /// Runs scripts/snmpsim-setup (once per test process), copies the given recordings
    /// (file stems under tests/snmp, e.g. `&["huawei-ma56xx-gpon"]`, or all of them when
    /// empty) into a temp data dir, starts snmpsim on a free UDP port and waits until it
    /// answers a v2c GET of sysDescr (community = the first recording's stem).
    pub fn start(recordings: &[&str]) -> SnmpSim {
        Self::launch(recordings, &[], None)
    }

    /// Same, plus extra recordings written from memory: (stem, .snmprec contents).
    pub fn start_with(recordings: &[&str], extra: &[(&str, String)]) -> SnmpSim {
        Self::launch(recordings, extra, None)
    }

    /// Same as [`SnmpSim::start`] with one SNMPv3 user (authPriv, usmHMACSHAAuthProtocol +
    /// usmAesCfb128Protocol). The v3 context name selects the recording (= file stem); the
    /// empty context name gets the first recording. v1/v2c keep working by community.
    /// Keys must be at least 8 characters.
    pub fn start_v3(recordings: &[&str], user: &str, auth: &str, privacy: &str) -> SnmpSim {
        assert!(
            auth.len() >= 8 && privacy.len() >= 8,
            "SNMPv3 keys must be at least 8 characters"
        );
        Self::launch(
            recordings,
            &[],
            Some(V3User {
                user,
                auth,
                privacy,
            }),
        )
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The temp directory holding data/, cache/ and snmpsim.log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// What snmpsim wrote to stdout/stderr so far (error level unless SNMPSIM_LOG_LEVEL).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("snmpsim.log")).unwrap_or_default()
    }

    fn launch(recordings: &[&str], extra: &[(&str, String)], v3: Option<V3User<'_>>) -> SnmpSim {
        let venv = venv();
        let dir = tempfile::Builder::new()
            .prefix("snmpsim-")
            .tempdir()
            .expect("temp dir for snmpsim");
        let data = dir.path().join("data");
        let cache = dir.path().join("cache");
        fs::create_dir(&data).unwrap();
        fs::create_dir(&cache).unwrap();
        // snmpsim runs as nobody when started by root: it must read data/ and write cache/.
        set_mode(dir.path(), 0o755);
        set_mode(&data, 0o755);
        set_mode(&cache, 0o777);

        let stems: Vec<String> = if recordings.is_empty() && extra.is_empty() {
            all_recordings()
        } else {
            recordings.iter().map(|s| s.to_string()).collect()
        };
        for stem in &stems {
            let src = recordings_dir().join(format!("{stem}.snmprec"));
            assert!(src.is_file(), "no recording {}", src.display());
            let dst = data.join(format!("{stem}.snmprec"));
            fs::copy(&src, &dst).unwrap();
            set_mode(&dst, 0o644);
        }
        for (stem, contents) in extra {
            let dst = data.join(format!("{stem}.snmprec"));
            fs::write(&dst, contents).unwrap();
            set_mode(&dst, 0o644);
        }
        let first = stems
            .first()
            .cloned()
            .or_else(|| extra.first().map(|(s, _)| s.to_string()))
            .expect("at least one recording");

        let files = stems.len() + extra.len();
        let log_path = dir.path().join("snmpsim.log");
        let log_level = std::env::var("SNMPSIM_LOG_LEVEL").unwrap_or_else(|_| "error".into());
        let mut last_log = String::new();
        for _attempt in 0..3 {
            let port = free_udp_port();
            let log = fs::File::create(&log_path).unwrap();
            // snmpsim-command-responder + the empty-context fix (scripts/snmpsim-setup).
            let mut cmd = Command::new(venv.join("bin/ispbills-snmpsim-responder"));
            cmd.env("SNMPSIM_DEFAULT_CONTEXT", &first);
            cmd.arg(format!("--data-dir={}", data.display()))
                .arg(format!("--cache-dir={}", cache.display()))
                .arg(format!("--agent-udpv4-endpoint=127.0.0.1:{port}"))
                .arg(format!("--log-level={log_level}"));
            if is_root() {
                cmd.arg("--process-user=nobody")
                    .arg("--process-group=nogroup");
            }
            if let Some(v3) = &v3 {
                cmd.arg(format!("--v3-user={}", v3.user))
                    .arg(format!("--v3-auth-key={}", v3.auth))
                    .arg("--v3-auth-proto=SHA")
                    .arg(format!("--v3-priv-key={}", v3.privacy))
                    .arg("--v3-priv-proto=AES");
            }
            cmd.stdin(Stdio::null())
                .stdout(Stdio::from(log.try_clone().unwrap()))
                .stderr(Stdio::from(log));
            let mut child = cmd.spawn().expect("spawn ispbills-snmpsim-responder");
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            match wait_ready(&mut child, addr, &first, ready_timeout(files)) {
                Ok(()) => return SnmpSim { port, child, dir },
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = fs::read_to_string(&log_path).unwrap_or_default();
                    last_log = format!("{e}\n{log}");
                    // Lost the race for the port to someone else: try another one.
                    if !log.contains("Address already in use") {
                        break;
                    }
                }
            }
        }
        panic!("snmpsim did not come up:\n{last_log}");
    }
}

impl Drop for SnmpSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// tests/snmp
pub fn recordings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snmp")
}

/// Every recording stem under tests/snmp, sorted.
pub fn all_recordings() -> Vec<String> {
    let mut stems: Vec<String> = fs::read_dir(recordings_dir())
        .expect("tests/snmp")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".snmprec").map(str::to_string)
        })
        .collect();
    stems.sort();
    stems
}

/// The venv holding snmpsim; runs scripts/snmpsim-setup once per test process.
fn venv() -> PathBuf {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    VENV.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/snmpsim-setup");
        let out = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {}: {e}", script.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!(
                "{} failed ({}):\n{stdout}\n{}",
                script.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        stdout
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("snmpsim: "))
            .map(|p| PathBuf::from(p.trim()))
            .ok_or_else(|| format!("unexpected output from snmpsim-setup: {stdout}"))
    })
    .clone()
    .unwrap_or_else(|e| panic!("{e}"))
}

fn is_root() -> bool {
    // /proc/self belongs to the effective uid of the process looking at it.
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn free_udp_port() -> u16 {
    let s = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral UDP port");
    s.local_addr().unwrap().port()
}

/// Polls with v2c GETs of sysDescr until an OCTET STRING comes back, the process dies,
/// or READY_TIMEOUT passes.
fn wait_ready(
    child: &mut Child,
    addr: SocketAddr,
    community: &str,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let mut last = String::from("no answer yet");
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("snmpsim exited early: {status}"));
        }
        match get_with_timeout(addr, community, SYS_DESCR, Duration::from_millis(300)) {
            Ok(SnmpValue::OctetString(_)) => return Ok(()),
            Ok(other) => last = format!("sysDescr answered {other:?}"),
            Err(e) => last = e.to_string(),
        }
        thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "no sysDescr from {addr} (community {community}) within {timeout:?}: {last}"
    ))
}

// ---------------------------------------------------------------------------
// A minimal SNMPv2c client, BER by hand
// ---------------------------------------------------------------------------

pub const PDU_GET: u8 = 0xA0;
pub const PDU_GET_NEXT: u8 = 0xA1;
pub const PDU_RESPONSE: u8 = 0xA2;
pub const PDU_GET_BULK: u8 = 0xA5;

/// A decoded varbind value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnmpValue {
    Integer(i64),
    OctetString(Vec<u8>),
    Null,
    Oid(String),
    IpAddress([u8; 4]),
    Counter32(u32),
    Gauge32(u32),
    TimeTicks(u32),
    Counter64(u64),
    NoSuchObject,
    NoSuchInstance,
    EndOfMibView,
    Other(u8, Vec<u8>),
}

impl SnmpValue {
    /// The OCTET STRING as (lossy) UTF-8.
    pub fn text(&self) -> Option<String> {
        match self {
            SnmpValue::OctetString(b) => Some(String::from_utf8_lossy(b).into_owned()),
            _ => None,
        }
    }

    /// Any integer-like value as i128.
    pub fn number(&self) -> Option<i128> {
        match *self {
            SnmpValue::Integer(v) => Some(v.into()),
            SnmpValue::Counter32(v) | SnmpValue::Gauge32(v) | SnmpValue::TimeTicks(v) => {
                Some(v.into())
            }
            SnmpValue::Counter64(v) => Some(v.into()),
            _ => None,
        }
    }
}

/// A decoded Response-PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnmpResponse {
    pub request_id: i32,
    pub error_status: i64,
    pub error_index: i64,
    pub varbinds: Vec<(String, SnmpValue)>,
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    push_len(&mut out, body.len());
    out.extend_from_slice(body);
    out
}

fn ber_int(v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    // Drop redundant leading 0x00 / 0xFF octets, keeping the sign bit right.
    while start < 7
        && ((bytes[start] == 0x00 && bytes[start + 1] & 0x80 == 0)
            || (bytes[start] == 0xFF && bytes[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    tlv(0x02, &bytes[start..])
}

/// BER body of an OBJECT IDENTIFIER given as dotted decimal ("1.3.6.1.2.1.1.1.0").
pub fn encode_oid(oid: &str) -> Vec<u8> {
    let arcs: Vec<u64> = oid
        .trim_start_matches('.')
        .split('.')
        .map(|a| a.parse().unwrap_or_else(|_| panic!("bad OID {oid}")))
        .collect();
    assert!(arcs.len() >= 2, "OID needs two arcs: {oid}");
    let mut out = Vec::new();
    let mut push_arc = |mut v: u64| {
        let mut tmp = vec![(v & 0x7F) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(0x80 | (v & 0x7F) as u8);
            v >>= 7;
        }
        tmp.reverse();
        out.extend(tmp);
    };
    push_arc(arcs[0] * 40 + arcs[1]);
    for &a in &arcs[2..] {
        push_arc(a);
    }
    out
}

/// Dotted decimal from a BER OID body.
pub fn decode_oid(body: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    for &b in body {
        v = (v << 7) | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (v / 40).min(2);
                arcs.push(first);
                arcs.push(v - first * 40);
            } else {
                arcs.push(v);
            }
            v = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// An SNMPv2c request message. For GETBULK, `non_repeaters`/`max_repetitions` go in the
/// error-status/error-index slots as the protocol says.
pub fn encode_request(
    pdu: u8,
    request_id: i32,
    community: &str,
    oids: &[&str],
    bulk: Option<(i64, i64)>,
) -> Vec<u8> {
    let mut vbs = Vec::new();
    for oid in oids {
        let mut vb = tlv(0x06, &encode_oid(oid));
        vb.extend(tlv(0x05, &[]));
        vbs.extend(tlv(0x30, &vb));
    }
    let (a, b) = bulk.unwrap_or((0, 0));
    let mut body = ber_int(request_id.into());
    body.extend(ber_int(a));
    body.extend(ber_int(b));
    body.extend(tlv(0x30, &vbs));
    let mut msg = ber_int(1); // version: 1 = SNMPv2c
    msg.extend(tlv(0x04, community.as_bytes()));
    msg.extend(tlv(pdu, &body));
    tlv(0x30, &msg)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn tlv(&mut self) -> Result<(u8, &'a [u8]), String> {
        let tag = *self.buf.get(self.pos).ok_or("truncated tag")?;
        let mut len = usize::from(*self.buf.get(self.pos + 1).ok_or("truncated length")?);
        self.pos += 2;
        if len & 0x80 != 0 {
            let n = len & 0x7F;
            if n == 0 || n > 4 {
                return Err(format!("unsupported length form {n}"));
            }
            len = 0;
            for _ in 0..n {
                len = (len << 8) | usize::from(*self.buf.get(self.pos).ok_or("truncated")?);
                self.pos += 1;
            }
        }
        let body = self
            .buf
            .get(self.pos..self.pos + len)
            .ok_or("truncated value")?;
        self.pos += len;
        Ok((tag, body))
    }

    fn expect(&mut self, want: u8) -> Result<&'a [u8], String> {
        let (tag, body) = self.tlv()?;
        if tag != want {
            return Err(format!("expected tag {want:#04x}, got {tag:#04x}"));
        }
        Ok(body)
    }

    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }
}

fn int_value(body: &[u8]) -> i64 {
    let mut v: i64 = if body.first().is_some_and(|b| b & 0x80 != 0) {
        -1
    } else {
        0
    };
    for &b in body {
        v = (v << 8) | i64::from(b);
    }
    v
}

fn uint_value(body: &[u8]) -> u64 {
    body.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b))
}

fn decode_value(tag: u8, body: &[u8]) -> SnmpValue {
    match tag {
        0x02 => SnmpValue::Integer(int_value(body)),
        0x04 => SnmpValue::OctetString(body.to_vec()),
        0x05 => SnmpValue::Null,
        0x06 => SnmpValue::Oid(decode_oid(body)),
        0x40 if body.len() == 4 => SnmpValue::IpAddress([body[0], body[1], body[2], body[3]]),
        0x41 => SnmpValue::Counter32(uint_value(body) as u32),
        0x42 => SnmpValue::Gauge32(uint_value(body) as u32),
        0x43 => SnmpValue::TimeTicks(uint_value(body) as u32),
        0x46 => SnmpValue::Counter64(uint_value(body)),
        0x80 => SnmpValue::NoSuchObject,
        0x81 => SnmpValue::NoSuchInstance,
        0x82 => SnmpValue::EndOfMibView,
        _ => SnmpValue::Other(tag, body.to_vec()),
    }
}

/// Decodes an SNMPv1/v2c Response message.
pub fn decode_response(buf: &[u8]) -> Result<SnmpResponse, String> {
    let mut top = Reader { buf, pos: 0 };
    let msg = top.expect(0x30)?;
    let mut m = Reader { buf: msg, pos: 0 };
    let _version = int_value(m.expect(0x02)?);
    let _community = m.expect(0x04)?;
    let pdu = m.expect(PDU_RESPONSE)?;
    let mut p = Reader { buf: pdu, pos: 0 };
    let request_id = int_value(p.expect(0x02)?) as i32;
    let error_status = int_value(p.expect(0x02)?);
    let error_index = int_value(p.expect(0x02)?);
    let list = p.expect(0x30)?;
    let mut l = Reader { buf: list, pos: 0 };
    let mut varbinds = Vec::new();
    while !l.done() {
        let vb = l.expect(0x30)?;
        let mut v = Reader { buf: vb, pos: 0 };
        let oid = decode_oid(v.expect(0x06)?);
        let (tag, body) = v.tlv()?;
        varbinds.push((oid, decode_value(tag, body)));
    }
    Ok(SnmpResponse {
        request_id,
        error_status,
        error_index,
        varbinds,
    })
}

static NEXT_REQUEST_ID: AtomicI32 = AtomicI32::new(1);

/// One request/response exchange; answers whose request-id does not match are dropped.
pub fn request(
    addr: SocketAddr,
    community: &str,
    pdu: u8,
    oids: &[&str],
    bulk: Option<(i64, i64)>,
    timeout: Duration,
) -> io::Result<SnmpResponse> {
    let sock = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    sock.connect(addr)?;
    let id = NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed);
    sock.send(&encode_request(pdu, id, community, oids, bulk))?;
    let deadline = Instant::now() + timeout;
    let mut buf = vec![0u8; 65535];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(ErrorKind::TimedOut, "no SNMP response"));
        }
        sock.set_read_timeout(Some(left))?;
        let n = match sock.recv(&mut buf) {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(io::Error::new(ErrorKind::TimedOut, "no SNMP response"))
            }
            Err(e) => return Err(e),
        };
        match decode_response(&buf[..n]) {
            Ok(r) if r.request_id == id => return Ok(r),
            Ok(_) => continue, // stale answer to an earlier request
            Err(e) => return Err(io::Error::new(ErrorKind::InvalidData, e)),
        }
    }
}

fn get_with_timeout(
    addr: SocketAddr,
    community: &str,
    oid: &str,
    timeout: Duration,
) -> io::Result<SnmpValue> {
    let r = request(addr, community, PDU_GET, &[oid], None, timeout)?;
    if r.error_status != 0 {
        return Err(io::Error::other(format!(
            "error-status {} at {}",
            r.error_status, r.error_index
        )));
    }
    r.varbinds
        .into_iter()
        .next()
        .map(|(_, v)| v)
        .ok_or_else(|| io::Error::new(ErrorKind::InvalidData, "empty varbind list"))
}

/// v2c GET of one OID.
pub fn snmp_get(addr: SocketAddr, community: &str, oid: &str) -> io::Result<SnmpValue> {
    get_with_timeout(addr, community, oid, Duration::from_secs(2))
}

/// v2c GETNEXT of one OID: the next (oid, value).
pub fn snmp_get_next(
    addr: SocketAddr,
    community: &str,
    oid: &str,
) -> io::Result<(String, SnmpValue)> {
    let r = request(
        addr,
        community,
        PDU_GET_NEXT,
        &[oid],
        None,
        Duration::from_secs(2),
    )?;
    r.varbinds
        .into_iter()
        .next()
        .ok_or_else(|| io::Error::new(ErrorKind::InvalidData, "empty varbind list"))
}

/// v2c walk of a subtree with GETNEXT, stopping at the subtree's end or endOfMibView.
pub fn snmp_walk(
    addr: SocketAddr,
    community: &str,
    prefix: &str,
) -> io::Result<Vec<(String, SnmpValue)>> {
    let prefix = prefix.trim_start_matches('.');
    let under = format!("{prefix}.");
    let mut out = Vec::new();
    let mut cur = prefix.to_string();
    loop {
        let (oid, value) = snmp_get_next(addr, community, &cur)?;
        if value == SnmpValue::EndOfMibView || !oid.starts_with(&under) {
            return Ok(out);
        }
        cur.clone_from(&oid);
        out.push((oid, value));
    }
}
