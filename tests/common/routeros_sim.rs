//! A MikroTik RouterOS simulator for integration tests: the binary API
//! protocol over TCP (modern and pre-6.43 challenge login, generic menus with
//! print/add/set/remove and the query stack machine, tags, `!empty`) plus a
//! minimal RouterOS v7 REST front end over the same state.
//!
//! The wire protocol is implemented here from scratch, independently of the
//! crate's own client, so the two check each other.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    collections::BTreeMap,
    io::{self, BufRead, BufReader, Read, Write},
    net::{Shutdown, SocketAddr, TcpListener, TcpStream},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex, MutexGuard,
    },
    thread::JoinHandle,
};

use base64::Engine as _;
use serde_json::{Map, Value};

/// How the simulated router behaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub username: String,
    pub password: String,
    /// Pre-6.43 login: `/login` answers with an MD5 challenge in `=ret=`.
    pub legacy_login: bool,
    /// RouterOS >= 7.18: a print without rows answers `!empty` before `!done`.
    pub empty_replies: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            username: "admin".to_string(),
            password: "secret".to_string(),
            legacy_login: false,
            empty_replies: false,
        }
    }
}

/// One REST request as it arrived (after authentication or not).
#[derive(Debug, Clone)]
pub struct RestRequest {
    pub method: String,
    /// The request target as sent, query string included.
    pub target: String,
    pub body: Vec<u8>,
}

/// A row: attribute name → value, in insertion order, `.id` first.
type Row = Vec<(String, String)>;

struct State {
    menus: BTreeMap<String, Vec<Row>>,
    next_id: u64,
    received: Vec<Vec<String>>,
    rest_requests: Vec<RestRequest>,
    connections: usize,
    resource: Row,
    identity: String,
}

struct Shared {
    config: SimConfig,
    state: Mutex<State>,
    hang: AtomicBool,
    killed: AtomicBool,
    next_conn: AtomicU64,
    /// Every open connection (API and REST), so `kill` can close them.
    open: Mutex<Vec<(u64, TcpStream)>>,
    /// Listening sockets and their accept threads.
    listeners: Mutex<Vec<(SocketAddr, JoinHandle<()>)>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running simulated router. Dropping it kills it.
pub struct SimRouter {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl SimRouter {
    /// Starts the API listener on 127.0.0.1 with an ephemeral port.
    pub fn start(config: SimConfig) -> SimRouter {
        let resource = [
            ("uptime", "1w2d3h4m5s"),
            ("version", "7.16.2 (stable)"),
            ("cpu-load", "7"),
            ("free-memory", "123456789"),
            ("total-memory", "268435456"),
            ("board-name", "CCR2004-16G-2S+"),
            ("architecture-name", "arm64"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(State {
                menus: BTreeMap::new(),
                next_id: 1,
                received: Vec::new(),
                rest_requests: Vec::new(),
                connections: 0,
                resource,
                identity: "MikroTik".to_string(),
            }),
            hang: AtomicBool::new(false),
            killed: AtomicBool::new(false),
            next_conn: AtomicU64::new(1),
            open: Mutex::new(Vec::new()),
            listeners: Mutex::new(Vec::new()),
        });
        let addr = listen(&shared, true);
        SimRouter { addr, shared }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Rows of a menu path ("/ppp/secret"), in order, each including ".id".
    pub fn rows(&self, path: &str) -> Vec<BTreeMap<String, String>> {
        let state = lock(&self.shared.state);
        state
            .rows_of(&norm_path(path))
            .into_iter()
            .map(|r| r.into_iter().collect())
            .collect()
    }

    /// Adds a row as if made by hand on the router; returns its .id.
    pub fn insert(&self, path: &str, attrs: &[(&str, &str)]) -> String {
        let mut state = lock(&self.shared.state);
        let attrs = attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        state.insert_row(&norm_path(path), attrs)
    }

    /// Every command sentence received (all words, including the command), in order.
    pub fn received(&self) -> Vec<Vec<String>> {
        lock(&self.shared.state).received.clone()
    }

    /// Every REST request received, in order.
    pub fn rest_requests(&self) -> Vec<RestRequest> {
        lock(&self.shared.state).rest_requests.clone()
    }

    /// How many TCP connections were accepted (API port only).
    pub fn connections(&self) -> usize {
        lock(&self.shared.state).connections
    }

    /// While true, accepted connections get no replies at all (to test read timeouts).
    pub fn set_hang(&self, hang: bool) {
        self.shared.hang.store(hang, Ordering::SeqCst);
    }

    /// Stops listening and closes every open connection (a dead router). Also done on Drop.
    pub fn kill(&self) {
        if self.shared.killed.swap(true, Ordering::SeqCst) {
            return;
        }
        let listeners = std::mem::take(&mut *lock(&self.shared.listeners));
        for (addr, handle) in listeners {
            // Wake the blocking accept so the thread sees `killed` and drops
            // the listener; join so the port is closed when we return.
            if TcpStream::connect(addr).is_ok() {
                let _ = handle.join();
            }
        }
        for (_, stream) in lock(&self.shared.open).drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    pub fn set_resource(&self, key: &str, value: &str) {
        let mut state = lock(&self.shared.state);
        match state.resource.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_string(),
            None => state.resource.push((key.to_string(), value.to_string())),
        }
    }

    pub fn set_identity(&self, name: &str) {
        lock(&self.shared.state).identity = name.to_string();
    }

    /// Starts the RouterOS v7 REST front end (plain HTTP) on the same state;
    /// returns its base URL, e.g. `http://127.0.0.1:PORT`.
    pub fn start_rest(&self) -> String {
        let addr = listen(&self.shared, false);
        format!("http://{addr}")
    }
}

impl Drop for SimRouter {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Binds 127.0.0.1:0 and spawns the accept loop; `api` picks the protocol.
fn listen(shared: &Arc<Shared>, api: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind simulator listener");
    let addr = listener.local_addr().expect("listener address");
    let sh = Arc::clone(shared);
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming() {
            if sh.killed.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let _ = stream.set_nodelay(true);
            if api {
                lock(&sh.state).connections += 1;
            }
            let Ok(clone) = stream.try_clone() else {
                continue;
            };
            let id = sh.next_conn.fetch_add(1, Ordering::SeqCst);
            lock(&sh.open).push((id, clone));
            let sh2 = Arc::clone(&sh);
            std::thread::spawn(move || {
                if api {
                    serve_api(&sh2, stream);
                } else {
                    serve_rest(&sh2, stream);
                }
                lock(&sh2.open).retain(|(i, _)| *i != id);
            });
        }
    });
    lock(&shared.listeners).push((addr, handle));
    addr
}

// ---------------------------------------------------------------------------
// Shared menu state
// ---------------------------------------------------------------------------

/// `ppp/secret/` → `/ppp/secret`.
fn norm_path(path: &str) -> String {
    format!("/{}", path.trim_matches('/'))
}

fn get<'a>(row: &'a Row, key: &str) -> Option<&'a str> {
    row.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn put(row: &mut Row, key: &str, value: &str) {
    match row.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value.to_string(),
        None => row.push((key.to_string(), value.to_string())),
    }
}

/// A failed operation: `NotFound` maps to REST 404, the rest to a trap / 400.
#[derive(Debug)]
enum Fail {
    NotFound,
    Msg(String),
}

impl Fail {
    fn message(&self) -> String {
        match self {
            Fail::NotFound => "no such item".to_string(),
            Fail::Msg(m) => m.clone(),
        }
    }
}

const DUP_SECRET: &str = "failure: secret with the same name already exists";

/// Menus that hold settings rather than items (set without `.id`), with
/// RouterOS's defaults.
fn settings_defaults(path: &str) -> Option<&'static [(&'static str, &'static str)]> {
    match path {
        "/ppp/aaa" => Some(&[
            ("use-radius", "false"),
            ("accounting", "true"),
            ("interim-update", "0s"),
        ]),
        "/radius/incoming" => Some(&[("accept", "false"), ("port", "3799")]),
        _ => None,
    }
}

fn unique_names(path: &str) -> bool {
    path == "/ppp/secret" || path == "/ip/hotspot/user"
}

/// Same id, ignoring hex case (`*a` == `*A`).
fn same_id(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn find_index(rows: &[Row], id: &str) -> Option<usize> {
    if id.starts_with('*') {
        rows.iter()
            .position(|r| get(r, ".id").is_some_and(|v| same_id(v, id)))
    } else {
        rows.iter().position(|r| get(r, "name") == Some(id))
    }
}

impl State {
    fn alloc_id(&mut self) -> String {
        let id = format!("*{:X}", self.next_id);
        self.next_id += 1;
        id
    }

    fn rows_of(&self, path: &str) -> Vec<Row> {
        match path {
            "/system/resource" => vec![self.resource.clone()],
            "/system/identity" => vec![vec![("name".to_string(), self.identity.clone())]],
            _ if settings_defaults(path).is_some() => vec![self.settings(path)],
            _ => self.menus.get(path).cloned().unwrap_or_default(),
        }
    }

    /// A settings menu's one row: its defaults with what was set over them.
    fn settings(&self, path: &str) -> Row {
        let mut row: Row = settings_defaults(path)
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in self
            .menus
            .get(path)
            .and_then(|r| r.first())
            .into_iter()
            .flatten()
        {
            put(&mut row, k, v);
        }
        row
    }

    fn insert_row(&mut self, path: &str, attrs: Row) -> String {
        let id = self.alloc_id();
        let mut row = vec![(".id".to_string(), id.clone())];
        for (k, v) in attrs {
            if k != ".id" {
                put(&mut row, &k, &v);
            }
        }
        self.menus.entry(path.to_string()).or_default().push(row);
        id
    }

    fn add(&mut self, path: &str, attrs: Row) -> Result<String, Fail> {
        let attrs: Row = attrs
            .into_iter()
            .filter(|(k, _)| !k.starts_with('.'))
            .collect();
        if unique_names(path) {
            if let Some(name) = get(&attrs, "name") {
                let rows = self.menus.get(path).map(Vec::as_slice).unwrap_or(&[]);
                if rows.iter().any(|r| get(r, "name") == Some(name)) {
                    return Err(Fail::Msg(DUP_SECRET.to_string()));
                }
            }
        }
        Ok(self.insert_row(path, attrs))
    }

    /// `ids` is a comma-separated list of `*N` ids (or names).
    fn set(&mut self, path: &str, ids: Option<&str>, attrs: Row) -> Result<(), Fail> {
        let attrs: Row = attrs
            .into_iter()
            .filter(|(k, _)| !k.starts_with('.'))
            .collect();
        if path == "/system/identity" {
            if let Some(name) = get(&attrs, "name") {
                self.identity = name.to_string();
            }
            return Ok(());
        }
        if path == "/system/resource" {
            return Err(Fail::Msg("no such command".to_string()));
        }
        if settings_defaults(path).is_some() {
            if ids.is_some() {
                return Err(Fail::Msg("unknown parameter .id".to_string()));
            }
            let rows = self.menus.entry(path.to_string()).or_default();
            if rows.is_empty() {
                rows.push(Vec::new());
            }
            for (k, v) in &attrs {
                put(&mut rows[0], k, v);
            }
            return Ok(());
        }
        let ids = ids.ok_or_else(|| Fail::Msg("missing value(s) of argument(s) .id".into()))?;
        let rows = self.menus.entry(path.to_string()).or_default();
        let mut targets = Vec::new();
        for id in ids.split(',') {
            targets.push(find_index(rows, id.trim()).ok_or(Fail::NotFound)?);
        }
        if unique_names(path) {
            if let Some(name) = get(&attrs, "name") {
                let clash = rows
                    .iter()
                    .enumerate()
                    .any(|(i, r)| !targets.contains(&i) && get(r, "name") == Some(name));
                if clash || (targets.len() > 1) {
                    return Err(Fail::Msg(DUP_SECRET.to_string()));
                }
            }
        }
        for i in targets {
            for (k, v) in &attrs {
                put(&mut rows[i], k, v);
            }
        }
        Ok(())
    }

    fn remove(&mut self, path: &str, ids: Option<&str>) -> Result<(), Fail> {
        let ids = ids.ok_or_else(|| Fail::Msg("missing value(s) of argument(s) .id".into()))?;
        let rows = self.menus.entry(path.to_string()).or_default();
        let mut doomed = Vec::new();
        for id in ids.split(',') {
            let i = find_index(rows, id.trim()).ok_or(Fail::NotFound)?;
            doomed.push(get(&rows[i], ".id").unwrap_or_default().to_string());
        }
        rows.retain(|r| !doomed.iter().any(|d| get(r, ".id") == Some(d.as_str())));
        Ok(())
    }

    /// Rows of `path` matching `queries` (words without the leading `?`),
    /// limited to `proplist` columns if given.
    fn select(
        &self,
        path: &str,
        queries: &[String],
        proplist: Option<&[String]>,
    ) -> Result<Vec<Row>, Fail> {
        let mut out = Vec::new();
        for row in self.rows_of(path) {
            if !query_matches(&row, queries)? {
                continue;
            }
            out.push(match proplist {
                Some(cols) => cols
                    .iter()
                    .filter_map(|c| get(&row, c).map(|v| (c.clone(), v.to_string())))
                    .collect(),
                None => row,
            });
        }
        Ok(out)
    }
}

fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// MikroTik's query stack machine. Each query is a word without its `?`.
fn query_matches(row: &Row, queries: &[String]) -> Result<bool, Fail> {
    let bad = || Fail::Msg("invalid query".to_string());
    let mut stack: Vec<bool> = Vec::new();
    for q in queries {
        if let Some(ops) = q.strip_prefix('#') {
            run_ops(&mut stack, ops).ok_or_else(bad)?;
        } else if let Some(name) = q.strip_prefix('-') {
            stack.push(get(row, name).is_none());
        } else if let Some(rest) = q.strip_prefix('<') {
            let (k, v) = rest.split_once('=').ok_or_else(bad)?;
            stack.push(get(row, k).is_some_and(|x| compare(x, v).is_lt()));
        } else if let Some(rest) = q.strip_prefix('>') {
            let (k, v) = rest.split_once('=').ok_or_else(bad)?;
            stack.push(get(row, k).is_some_and(|x| compare(x, v).is_gt()));
        } else {
            let q = q.strip_prefix('=').unwrap_or(q);
            match q.split_once('=') {
                Some((k, v)) => stack.push(get(row, k) == Some(v)),
                None => stack.push(get(row, q).is_some()),
            }
        }
    }
    Ok(stack.iter().all(|b| *b))
}

/// `?#` operations: `!` negates the top, `&`/`|` pop two and push the
/// result, digits are a stack index (0 = top) whose value is pushed when
/// followed by a character or replaces the whole stack at the end of the
/// word, `.` after an index does nothing and otherwise duplicates the top.
fn run_ops(stack: &mut Vec<bool>, ops: &str) -> Option<()> {
    let at = |stack: &Vec<bool>, idx: usize| -> Option<bool> {
        stack.len().checked_sub(idx + 1).map(|i| stack[i])
    };
    let mut index: Option<usize> = None;
    for c in ops.chars() {
        if let Some(d) = c.to_digit(10) {
            index = Some(index.unwrap_or(0) * 10 + d as usize);
            continue;
        }
        if let Some(idx) = index.take() {
            let v = at(stack, idx)?;
            stack.push(v);
            if c == '.' {
                continue;
            }
        }
        match c {
            '!' => {
                let top = stack.pop()?;
                stack.push(!top);
            }
            '&' | '|' => {
                let a = stack.pop()?;
                let b = stack.pop()?;
                stack.push(if c == '&' { a && b } else { a || b });
            }
            '.' => {
                let top = *stack.last()?;
                stack.push(top);
            }
            _ => return None,
        }
    }
    if let Some(idx) = index {
        let v = at(stack, idx)?;
        stack.clear();
        stack.push(v);
    }
    Some(())
}

// ---------------------------------------------------------------------------
// API wire protocol
// ---------------------------------------------------------------------------

/// Encodes a word's length prefix (most significant byte first).
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    let len = len as u64;
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x4000 {
        out.extend_from_slice(&((len as u16) | 0x8000).to_be_bytes());
    } else if len < 0x20_0000 {
        let v = (len as u32) | 0xC0_0000;
        out.extend_from_slice(&v.to_be_bytes()[1..]);
    } else if len < 0x1000_0000 {
        out.extend_from_slice(&((len as u32) | 0xE000_0000).to_be_bytes());
    } else {
        out.push(0xF0);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
}

pub fn encode_word(word: &[u8], out: &mut Vec<u8>) {
    encode_length(word.len(), out);
    out.extend_from_slice(word);
}

/// What came off the wire where a word was expected.
enum Incoming {
    Word(Vec<u8>),
    /// A first byte >= 0xF8 (or an undefined 0xF1..0xF7 prefix).
    Control,
}

fn read_word(r: &mut impl Read) -> io::Result<Incoming> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)?;
    let first = b[0];
    let (extra, base) = match first {
        0x00..=0x7F => (0, u32::from(first)),
        0x80..=0xBF => (1, u32::from(first & 0x3F)),
        0xC0..=0xDF => (2, u32::from(first & 0x1F)),
        0xE0..=0xEF => (3, u32::from(first & 0x0F)),
        0xF0 => (4, 0),
        _ => return Ok(Incoming::Control),
    };
    let mut len = base;
    for _ in 0..extra {
        r.read_exact(&mut b)?;
        len = (len << 8) | u32::from(b[0]);
    }
    if len > 64 * 1024 * 1024 {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "word too long"));
    }
    let mut word = vec![0u8; len as usize];
    r.read_exact(&mut word)?;
    Ok(Incoming::Word(word))
}

/// Reads one sentence; `Ok(None)` for a control byte (close the connection).
fn read_sentence(r: &mut impl Read) -> io::Result<Option<Vec<String>>> {
    let mut words = Vec::new();
    loop {
        match read_word(r)? {
            Incoming::Control => return Ok(None),
            Incoming::Word(w) if w.is_empty() => return Ok(Some(words)),
            Incoming::Word(w) => words.push(String::from_utf8_lossy(&w).into_owned()),
        }
    }
}

/// Reply bytes for one command, every sentence carrying the command's tag.
struct Reply {
    tag: Option<String>,
    out: Vec<u8>,
    close: bool,
}

impl Reply {
    fn sentence(&mut self, kind: &str, attrs: &[(String, String)]) {
        encode_word(kind.as_bytes(), &mut self.out);
        if let Some(tag) = &self.tag {
            encode_word(format!(".tag={tag}").as_bytes(), &mut self.out);
        }
        for (k, v) in attrs {
            encode_word(format!("={k}={v}").as_bytes(), &mut self.out);
        }
        self.out.push(0);
    }

    fn done(&mut self) {
        self.sentence("!done", &[]);
    }

    fn done_ret(&mut self, ret: &str) {
        self.sentence("!done", &[("ret".to_string(), ret.to_string())]);
    }

    fn trap(&mut self, message: &str) {
        self.sentence("!trap", &[("message".to_string(), message.to_string())]);
        self.done();
    }

    fn trap_category(&mut self, category: u32, message: &str) {
        self.sentence(
            "!trap",
            &[
                ("category".to_string(), category.to_string()),
                ("message".to_string(), message.to_string()),
            ],
        );
        self.done();
    }

    fn fatal(&mut self, message: &str) {
        encode_word(b"!fatal", &mut self.out);
        encode_word(message.as_bytes(), &mut self.out);
        self.out.push(0);
        self.close = true;
    }
}

struct Session {
    logged_in: bool,
    challenge: Option<[u8; 16]>,
}

fn serve_api(shared: &Shared, stream: TcpStream) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    let mut session = Session {
        logged_in: false,
        challenge: None,
    };
    while let Ok(Some(words)) = read_sentence(&mut reader) {
        if words.is_empty() {
            continue;
        }
        lock(&shared.state).received.push(words.clone());
        if shared.hang.load(Ordering::SeqCst) || shared.killed.load(Ordering::SeqCst) {
            continue;
        }
        let reply = handle_sentence(shared, &mut session, &words);
        if writer.write_all(&reply.out).is_err() || reply.close {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn handle_sentence(shared: &Shared, session: &mut Session, words: &[String]) -> Reply {
    let command = words[0].as_str();
    let mut tag = None;
    let mut attrs: Row = Vec::new();
    let mut queries: Vec<String> = Vec::new();
    for w in &words[1..] {
        if let Some(t) = w.strip_prefix(".tag=") {
            tag = Some(t.to_string());
        } else if let Some(a) = w.strip_prefix('=') {
            let (k, v) = a.split_once('=').unwrap_or((a, ""));
            attrs.push((k.to_string(), v.to_string()));
        } else if let Some(q) = w.strip_prefix('?') {
            queries.push(q.to_string());
        }
    }
    let mut reply = Reply {
        tag,
        out: Vec::new(),
        close: false,
    };
    let attr = |name: &str| get(&attrs, name).map(str::to_string);
    let config = &shared.config;

    match command {
        "/quit" => reply.fatal("session terminated on request"),
        "/login" => {
            let name_ok = attr("name").as_deref() == Some(config.username.as_str());
            if config.legacy_login {
                match attr("response") {
                    None => {
                        let mut challenge = [0u8; 16];
                        getrandom::fill(&mut challenge).expect("random challenge");
                        session.challenge = Some(challenge);
                        reply.done_ret(&hex(&challenge));
                    }
                    Some(response) => {
                        let ok = session.challenge.take().is_some_and(|ch| {
                            let mut data = vec![0u8];
                            data.extend_from_slice(config.password.as_bytes());
                            data.extend_from_slice(&ch);
                            response == format!("00{}", hex(&md5(&data)))
                        });
                        if ok && name_ok {
                            session.logged_in = true;
                            reply.done();
                        } else {
                            reply.trap("invalid user name or password (6)");
                        }
                    }
                }
            } else if name_ok && attr("password").as_deref() == Some(config.password.as_str()) {
                session.logged_in = true;
                reply.done();
            } else {
                reply.trap("invalid user name or password (6)");
            }
        }
        _ if !session.logged_in => reply.fatal("not logged in"),
        "/cancel" => reply.done(),
        _ => menu_command(shared, command, &attrs, &queries, &mut reply),
    }
    reply
}

fn menu_command(
    shared: &Shared,
    command: &str,
    attrs: &Row,
    queries: &[String],
    reply: &mut Reply,
) {
    let Some((path, verb)) = command.rsplit_once('/') else {
        reply.trap("no such command prefix");
        return;
    };
    if !path.starts_with('/') || path.len() < 2 {
        reply.trap("no such command prefix");
        return;
    }
    let path = norm_path(path);
    let ids = get(attrs, ".id").or_else(|| get(attrs, "numbers"));
    let mut state = lock(&shared.state);
    match verb {
        "print" | "getall" => {
            let proplist: Option<Vec<String>> = get(attrs, ".proplist").map(|p| {
                p.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            });
            match state.select(&path, queries, proplist.as_deref()) {
                Err(e) => reply.trap_category(1, &e.message()),
                Ok(rows) if get(attrs, "count-only").is_some() => {
                    reply.done_ret(&rows.len().to_string())
                }
                Ok(rows) if rows.is_empty() && shared.config.empty_replies => {
                    reply.sentence("!empty", &[]);
                    reply.done();
                }
                Ok(rows) => {
                    for row in &rows {
                        reply.sentence("!re", row);
                    }
                    reply.done();
                }
            }
        }
        "add" => match state.add(&path, attrs.clone()) {
            Ok(id) => reply.done_ret(&id),
            Err(e) => reply.trap(&e.message()),
        },
        "set" => match state.set(&path, ids, attrs.clone()) {
            Ok(()) => reply.done(),
            Err(e) => reply.trap(&e.message()),
        },
        "remove" => match state.remove(&path, ids) {
            Ok(()) => reply.done(),
            Err(e) => reply.trap(&e.message()),
        },
        _ => reply.trap("no such command prefix"),
    }
}

// ---------------------------------------------------------------------------
// REST front end (minimal HTTP/1.1)
// ---------------------------------------------------------------------------

struct HttpRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    keep_alive: bool,
}

impl HttpRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_line(r: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
}

fn read_http_request(r: &mut impl BufRead) -> io::Result<Option<HttpRequest>> {
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "bad request");
    let request_line = loop {
        match read_line(r)? {
            None => return Ok(None),
            Some(l) if l.is_empty() => continue,
            Some(l) => break l,
        }
    };
    let mut parts = request_line.split_whitespace();
    let method = parts.next().ok_or_else(bad)?.to_string();
    let target = parts.next().ok_or_else(bad)?.to_string();
    let version = parts.next().unwrap_or("HTTP/1.0").to_string();
    let mut headers = Vec::new();
    loop {
        let line = read_line(r)?.ok_or_else(bad)?;
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').ok_or_else(bad)?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let mut req = HttpRequest {
        method,
        target,
        headers,
        body: Vec::new(),
        keep_alive: false,
    };
    let connection = req.header("connection").map(str::to_ascii_lowercase);
    req.keep_alive = match connection.as_deref() {
        Some("close") => false,
        Some("keep-alive") => true,
        _ => version == "HTTP/1.1",
    };
    let chunked = req
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        loop {
            let size_line = read_line(r)?.ok_or_else(bad)?;
            let size_hex = size_line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_hex, 16).map_err(|_| bad())?;
            if size == 0 {
                while read_line(r)?.is_some_and(|l| !l.is_empty()) {}
                break;
            }
            let start = req.body.len();
            req.body.resize(start + size, 0);
            r.read_exact(&mut req.body[start..])?;
            read_line(r)?;
        }
    } else if let Some(len) = req.header("content-length") {
        let len: usize = len.parse().map_err(|_| bad())?;
        req.body = vec![0u8; len];
        r.read_exact(&mut req.body)?;
    }
    Ok(Some(req))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    }
}

struct HttpResponse {
    status: u16,
    body: Option<Value>,
}

fn json_error(status: u16, detail: Option<&str>) -> HttpResponse {
    let mut obj = Map::new();
    obj.insert("error".into(), Value::from(status));
    obj.insert("message".into(), Value::from(reason(status)));
    if let Some(d) = detail {
        obj.insert("detail".into(), Value::from(d));
    }
    HttpResponse {
        status,
        body: Some(Value::Object(obj)),
    }
}

fn ok(body: Value) -> HttpResponse {
    HttpResponse {
        status: 200,
        body: Some(body),
    }
}

fn serve_rest(shared: &Shared, stream: TcpStream) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Ok(Some(req)) = read_http_request(&mut reader) {
        lock(&shared.state).rest_requests.push(RestRequest {
            method: req.method.clone(),
            target: req.target.clone(),
            body: req.body.clone(),
        });
        if shared.hang.load(Ordering::SeqCst) || shared.killed.load(Ordering::SeqCst) {
            continue;
        }
        let resp = route_rest(shared, &req);
        let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
        let body = resp
            .body
            .map(|b| serde_json::to_vec(&b).unwrap_or_default())
            .unwrap_or_default();
        if resp.status != 204 {
            head.push_str("Content-Type: application/json\r\n");
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        if resp.status == 401 {
            head.push_str("WWW-Authenticate: Basic realm=\"REST API\"\r\n");
        }
        let connection = if req.keep_alive {
            "keep-alive"
        } else {
            "close"
        };
        head.push_str(&format!("Connection: {connection}\r\n\r\n"));
        let mut out = head.into_bytes();
        out.extend_from_slice(&body);
        if writer.write_all(&out).is_err() || !req.keep_alive {
            break;
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            let digits = (
                char::from(bytes[i + 1]).to_digit(16),
                char::from(bytes[i + 2]).to_digit(16),
            );
            if let (Some(hi), Some(lo)) = digits {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn authorized(shared: &Shared, req: &HttpRequest) -> bool {
    let Some(auth) = req.header("authorization") else {
        return false;
    };
    let Some((scheme, creds)) = auth.split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(creds.trim()) else {
        return false;
    };
    let decoded = String::from_utf8_lossy(&decoded);
    decoded.split_once(':')
        == Some((
            shared.config.username.as_str(),
            shared.config.password.as_str(),
        ))
}

fn row_json(row: &Row) -> Value {
    Value::Object(
        row.iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

fn json_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The body as a JSON object's pairs; an empty body is an empty object.
fn body_object(req: &HttpRequest) -> Result<Map<String, Value>, HttpResponse> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(json_error(400, Some("invalid JSON object"))),
    }
}

fn body_attrs(obj: &Map<String, Value>) -> Row {
    obj.iter()
        .map(|(k, v)| (k.clone(), json_string(v)))
        .collect()
}

fn fail_response(e: Fail) -> HttpResponse {
    match e {
        Fail::NotFound => json_error(404, None),
        Fail::Msg(m) => json_error(400, Some(&m)),
    }
}

fn list_of(v: Option<&Value>) -> Option<Vec<String>> {
    match v? {
        Value::Array(items) => Some(items.iter().map(json_string).collect()),
        Value::String(s) => Some(
            s.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

fn route_rest(shared: &Shared, req: &HttpRequest) -> HttpResponse {
    if !authorized(shared, req) {
        return json_error(401, None);
    }
    let (raw_path, query) = req
        .target
        .split_once('?')
        .unwrap_or((req.target.as_str(), ""));
    let Some(rest) = raw_path.strip_prefix("/rest/") else {
        return json_error(404, None);
    };
    let path = norm_path(&percent_decode(rest, false));
    let (parent, last) = path.rsplit_once('/').unwrap_or(("", &path));
    let parent = if parent.is_empty() { "/" } else { parent };
    let mut state = lock(&shared.state);
    match req.method.as_str() {
        "GET" => {
            let mut proplist: Option<Vec<String>> = None;
            let mut filters: Vec<String> = Vec::new();
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let (k, v) = (percent_decode(k, true), percent_decode(v, true));
                if k == ".proplist" {
                    proplist = Some(
                        v.split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                    );
                } else {
                    filters.push(format!("{k}={v}"));
                }
            }
            if last.starts_with('*') {
                let rows = state.rows_of(parent);
                let Some(i) = find_index(&rows, last) else {
                    return json_error(404, None);
                };
                let one = std::slice::from_ref(&rows[i]);
                let picked = pick(one, proplist.as_deref());
                return ok(row_json(&picked[0]));
            }
            match state.select(&path, &filters, proplist.as_deref()) {
                Err(e) => fail_response(e),
                Ok(rows)
                    if path == "/system/resource"
                        || path == "/system/identity"
                        || settings_defaults(&path).is_some() =>
                {
                    ok(rows
                        .first()
                        .map(row_json)
                        .unwrap_or(Value::Object(Map::new())))
                }
                Ok(rows) => ok(Value::Array(rows.iter().map(row_json).collect())),
            }
        }
        "PUT" => {
            let obj = match body_object(req) {
                Ok(o) => o,
                Err(r) => return r,
            };
            match state.add(&path, body_attrs(&obj)) {
                Ok(id) => {
                    let rows = state.rows_of(&path);
                    let row = find_index(&rows, &id).map(|i| row_json(&rows[i]));
                    ok(row.unwrap_or(Value::Null))
                }
                Err(e) => fail_response(e),
            }
        }
        "PATCH" => {
            let obj = match body_object(req) {
                Ok(o) => o,
                Err(r) => return r,
            };
            if path == "/system/identity" {
                let _ = state.set(&path, None, body_attrs(&obj));
                return ok(row_json(&state.rows_of(&path)[0]));
            }
            match state.set(parent, Some(last), body_attrs(&obj)) {
                Ok(()) => {
                    let rows = state.rows_of(parent);
                    let row = find_index(&rows, last).map(|i| row_json(&rows[i]));
                    ok(row.unwrap_or(Value::Null))
                }
                Err(e) => fail_response(e),
            }
        }
        "DELETE" => match state.remove(parent, Some(last)) {
            Ok(()) => HttpResponse {
                status: 204,
                body: None,
            },
            Err(e) => fail_response(e),
        },
        "POST" => {
            let obj = match body_object(req) {
                Ok(o) => o,
                Err(r) => return r,
            };
            let ids = obj
                .get(".id")
                .or_else(|| obj.get("numbers"))
                .map(json_string);
            match last {
                "print" | "getall" => {
                    let proplist = list_of(obj.get(".proplist"));
                    let queries = list_of(obj.get(".query")).unwrap_or_default();
                    match state.select(parent, &queries, proplist.as_deref()) {
                        Ok(rows) => ok(Value::Array(rows.iter().map(row_json).collect())),
                        Err(e) => fail_response(e),
                    }
                }
                "add" => match state.add(parent, body_attrs(&obj)) {
                    Ok(id) => ok(serde_json::json!({ "ret": id })),
                    Err(e) => fail_response(e),
                },
                "set" => match state.set(parent, ids.as_deref(), body_attrs(&obj)) {
                    Ok(()) => ok(Value::Array(Vec::new())),
                    Err(Fail::NotFound) => json_error(400, Some("no such item")),
                    Err(e) => fail_response(e),
                },
                "remove" => match state.remove(parent, ids.as_deref()) {
                    Ok(()) => ok(Value::Array(Vec::new())),
                    Err(Fail::NotFound) => json_error(400, Some("no such item")),
                    Err(e) => fail_response(e),
                },
                _ => json_error(400, Some("no such command")),
            }
        }
        _ => json_error(405, None),
    }
}

fn pick(rows: &[Row], proplist: Option<&[String]>) -> Vec<Row> {
    rows.iter()
        .map(|row| match proplist {
            Some(cols) => cols
                .iter()
                .filter_map(|c| get(row, c).map(|v| (c.clone(), v.to_string())))
                .collect(),
            None => row.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// MD5 (RFC 1321), for the pre-6.43 challenge login
// ---------------------------------------------------------------------------

const MD5_S: [u32; 64] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
    14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15,
    21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

const MD5_K: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

/// MD5 digest of `input`.
pub fn md5(input: &[u8]) -> [u8; 16] {
    let mut h: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    let mut msg = input.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((input.len() as u64).wrapping_mul(8)).to_le_bytes());
    for chunk in msg.chunks_exact(64) {
        let mut m = [0u32; 16];
        for (i, w) in chunk.chunks_exact(4).enumerate() {
            m[i] = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        }
        let [mut a, mut b, mut c, mut d] = h;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(MD5_K[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(MD5_S[i]));
        }
        h[0] = h[0].wrapping_add(a);
        h[1] = h[1].wrapping_add(b);
        h[2] = h[2].wrapping_add(c);
        h[3] = h[3].wrapping_add(d);
    }
    let mut out = [0u8; 16];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    out
}

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    hex(bytes)
}
