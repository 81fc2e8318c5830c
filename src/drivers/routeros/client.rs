//! The RouterOS API client (TCP 8728, TLS 8729): login (the ≥ 6.43 plain form
//! first, the MD5 challenge when the router answers with `=ret=`), tagged
//! commands, print with queries and `.proplist`, a timeout on connect and on
//! every read, and a fresh connection after any broken one.

use std::{
    io::{ErrorKind, Read, Write},
    net::TcpStream,
    time::Duration,
};

use md5::{Digest, Md5};

use crate::net_policy::ResolveError;

use super::{
    codec::{decode_length, decode_sentence, encode_sentence},
    reply::{parse, Reply, Row},
    tls, RouterApi, RouterError, Target,
};

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// One logged-in connection.
pub struct ApiConnection {
    stream: Box<dyn Stream>,
    buf: Vec<u8>,
    next_tag: u64,
    timeout: Duration,
    broken: bool,
}

impl std::fmt::Debug for ApiConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiConnection")
            .field("broken", &self.broken)
            .finish()
    }
}

fn io_error(e: std::io::Error, timeout: Duration) -> RouterError {
    match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => RouterError::Timeout(timeout),
        _ => RouterError::Io(e.to_string()),
    }
}

impl ApiConnection {
    /// Connects (within the target's timeout) and logs in.
    pub fn open(t: &Target) -> Result<Self, RouterError> {
        let addrs = t.policy.resolve(&t.host, t.port).map_err(|e| match e {
            ResolveError::Refused(why) => RouterError::Refused(why),
            ResolveError::Lookup(why) => RouterError::Connect(why),
        })?;
        let mut last = None;
        let mut tcp = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, t.timeout) {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let tcp = tcp.ok_or_else(|| {
            RouterError::Connect(match last {
                Some(e) if e.kind() == ErrorKind::TimedOut => {
                    format!("{}:{} did not answer in {:?}", t.host, t.port, t.timeout)
                }
                Some(e) => format!("{}:{}: {e}", t.host, t.port),
                None => format!("{} has no address", t.host),
            })
        })?;
        tcp.set_read_timeout(Some(t.timeout))
            .and_then(|()| tcp.set_write_timeout(Some(t.timeout)))
            .and_then(|()| tcp.set_nodelay(true))
            .map_err(|e| RouterError::Io(e.to_string()))?;
        let stream: Box<dyn Stream> = if t.tls {
            let config =
                tls::client_config(t.tls_verify).map_err(|e| RouterError::Tls(e.to_string()))?;
            let name = rustls::pki_types::ServerName::try_from(t.host.clone())
                .map_err(|e| RouterError::Tls(e.to_string()))?;
            let conn = rustls::ClientConnection::new(config, name)
                .map_err(|e| RouterError::Tls(e.to_string()))?;
            Box::new(rustls::StreamOwned::new(conn, tcp))
        } else {
            Box::new(tcp)
        };
        let mut c = Self {
            stream,
            buf: Vec::with_capacity(4096),
            next_tag: 1,
            timeout: t.timeout,
            broken: false,
        };
        c.login(&t.username, &t.password)?;
        Ok(c)
    }

    /// True once the connection cannot be trusted (timeout, fatal, I/O error).
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    fn login(&mut self, user: &str, password: &str) -> Result<(), RouterError> {
        let refused = |e: RouterError| match e {
            RouterError::Trap { message, .. } => RouterError::Login(message),
            RouterError::Fatal(message) => RouterError::Login(message),
            other => other,
        };
        let (_, done) = self
            .call("/login", &[("name", user), ("password", password)], &[])
            .map_err(refused)?;
        let Some(challenge) = done.get("ret") else {
            return Ok(());
        };
        // RouterOS before 6.43: answer the challenge.
        let challenge = unhex(challenge)
            .ok_or_else(|| RouterError::Protocol("the login challenge is not hex".into()))?;
        let response = legacy_response(password, &challenge);
        self.call("/login", &[("name", user), ("response", &response)], &[])
            .map_err(refused)?;
        Ok(())
    }

    fn write_words(&mut self, words: &[String]) -> Result<(), RouterError> {
        let bytes = encode_sentence(words).map_err(|e| RouterError::Protocol(e.to_string()))?;
        self.stream
            .write_all(&bytes)
            .and_then(|()| self.stream.flush())
            .map_err(|e| io_error(e, self.timeout))
    }

    fn read_reply(&mut self) -> Result<super::reply::Tagged, RouterError> {
        loop {
            if let Some(other) = foreign_protocol(&self.buf) {
                return Err(RouterError::Protocol(format!(
                    "not a RouterOS API answer (the port answered {other})"
                )));
            }
            match decode_sentence(&self.buf) {
                Ok(Some((words, used))) => {
                    self.buf.drain(..used);
                    if words.is_empty() {
                        continue;
                    }
                    return parse(&words).map_err(RouterError::Protocol);
                }
                Ok(None) => {}
                Err(e) => return Err(RouterError::Protocol(e.to_string())),
            }
            let mut chunk = [0u8; 8192];
            let n = self
                .stream
                .read(&mut chunk)
                .map_err(|e| io_error(e, self.timeout))?;
            if n == 0 {
                return Err(RouterError::Io("the router closed the connection".into()));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Runs `command` with `=name=value` attributes and `?` query words (for
    /// print); returns its rows and the attributes of its `!done`.
    pub fn call(
        &mut self,
        command: &str,
        attrs: &[(&str, &str)],
        queries: &[&str],
    ) -> Result<(Vec<Row>, Row), RouterError> {
        let result = self.call_inner(command, attrs, queries);
        if matches!(
            result,
            Err(RouterError::Timeout(_)
                | RouterError::Io(_)
                | RouterError::Fatal(_)
                | RouterError::Protocol(_))
        ) {
            self.broken = true;
        }
        result
    }

    fn call_inner(
        &mut self,
        command: &str,
        attrs: &[(&str, &str)],
        queries: &[&str],
    ) -> Result<(Vec<Row>, Row), RouterError> {
        if self.broken {
            return Err(RouterError::Io("the connection is broken".into()));
        }
        let tag = self.next_tag.to_string();
        self.next_tag += 1;
        let mut words = Vec::with_capacity(attrs.len() + queries.len() + 2);
        words.push(command.to_string());
        words.extend(attrs.iter().map(|(k, v)| format!("={k}={v}")));
        words.extend(queries.iter().map(|q| format!("?{q}")));
        words.push(format!(".tag={tag}"));
        self.write_words(&words)?;
        let mut rows = Vec::new();
        let mut trap = None;
        loop {
            let reply = self.read_reply()?;
            if let Reply::Fatal(message) = reply.reply {
                return Err(RouterError::Fatal(message));
            }
            // Replies to an earlier command that timed out are not ours.
            if reply.tag.as_deref() != Some(tag.as_str()) {
                continue;
            }
            match reply.reply {
                Reply::Re(row) => rows.push(row),
                Reply::Empty => {}
                Reply::Trap { message, category } => trap = Some((message, category)),
                Reply::Done(done) => {
                    return match trap {
                        Some((message, category)) => Err(RouterError::Trap { message, category }),
                        None => Ok((rows, done)),
                    }
                }
                Reply::Fatal(_) => {}
            }
        }
    }
}

/// What else a port answered, when its first bytes say so: the body of
/// such an answer is never shown (it may be any local service's).
fn foreign_protocol(buf: &[u8]) -> Option<&'static str> {
    let starts = |p: &[u8]| buf.len() >= p.len() && buf[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"HTTP/") {
        return Some("HTTP; for RouterOS v7 REST set transport rest");
    }
    if starts(b"SSH-") {
        return Some("SSH");
    }
    if buf.len() >= 2 && matches!(buf[0], 0x15 | 0x16) && buf[1] == 0x03 {
        return Some("TLS; for api-ssl set use_tls");
    }
    // Every reply sentence starts with a word such as `!done` or `!re`.
    match decode_length(buf) {
        Ok(Some((len, used))) if len > 0 => buf
            .get(used)
            .filter(|first| **first != b'!')
            .map(|_| "something else"),
        _ => None,
    }
}

/// The pre-6.43 login answer: `00` + hex(md5(0x00 ‖ password ‖ challenge)).
pub fn legacy_response(password: &str, challenge: &[u8]) -> String {
    let mut md5 = Md5::new();
    md5.update([0u8]);
    md5.update(password.as_bytes());
    md5.update(challenge);
    format!("00{}", hex(&md5.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A router reached over the API, connecting again after a broken connection.
#[derive(Debug)]
pub struct ApiClient {
    target: Target,
    conn: Option<ApiConnection>,
}

impl ApiClient {
    pub fn new(target: Target) -> Self {
        Self { target, conn: None }
    }

    /// Runs a command (see [`ApiConnection::call`]), connecting first if needed.
    pub fn command(
        &mut self,
        command: &str,
        attrs: &[(&str, &str)],
        queries: &[&str],
    ) -> Result<(Vec<Row>, Row), RouterError> {
        if self.conn.as_ref().is_none_or(ApiConnection::is_broken) {
            self.conn = None;
            self.conn = Some(ApiConnection::open(&self.target)?);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err(RouterError::Io("not connected".into()));
        };
        let result = conn.call(command, attrs, queries);
        if conn.is_broken() {
            self.conn = None;
        }
        result
    }
}

impl RouterApi for ApiClient {
    fn print(
        &mut self,
        path: &str,
        proplist: &[&str],
        query: &[(&str, &str)],
    ) -> Result<Vec<Row>, RouterError> {
        let props = proplist.join(",");
        let mut attrs = Vec::new();
        if !proplist.is_empty() {
            attrs.push((".proplist", props.as_str()));
        }
        let queries: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let queries: Vec<&str> = queries.iter().map(String::as_str).collect();
        Ok(self.command(&format!("{path}/print"), &attrs, &queries)?.0)
    }

    fn add(&mut self, path: &str, attrs: &[(&str, &str)]) -> Result<String, RouterError> {
        let (_, done) = self.command(&format!("{path}/add"), attrs, &[])?;
        done.get("ret")
            .cloned()
            .ok_or_else(|| RouterError::Protocol("add did not return an id".into()))
    }

    fn set(&mut self, path: &str, id: &str, attrs: &[(&str, &str)]) -> Result<(), RouterError> {
        let mut all = vec![(".id", id)];
        all.extend_from_slice(attrs);
        self.command(&format!("{path}/set"), &all, &[]).map(|_| ())
    }

    fn set_settings(&mut self, path: &str, attrs: &[(&str, &str)]) -> Result<(), RouterError> {
        self.command(&format!("{path}/set"), attrs, &[]).map(|_| ())
    }

    fn remove(&mut self, path: &str, id: &str) -> Result<(), RouterError> {
        self.command(&format!("{path}/remove"), &[(".id", id)], &[])
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_response_matches_the_documented_computation() {
        // Computed independently (Python hashlib).
        let challenge = unhex("0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(
            legacy_response("secret", &challenge),
            "00ebbe7c3df6b3d902bfd1f355c6e63289"
        );
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }

    #[test]
    fn answers_of_other_protocols_are_named_not_shown() {
        for (bytes, named) in [
            (&b"HTTP/1.1 400 Bad Request\r\n"[..], Some("HTTP")),
            (b"SSH-2.0-OpenSSH_9.2\r\n", Some("SSH")),
            (b"\x15\x03\x03\x00\x02", Some("TLS")),
            (b"<html>", Some("something else")),
            (b"\x05!done\x00", None),
            (b"\x03!re", None),
            (b"\x00", None),
            (b"\x05", None),
            (b"", None),
        ] {
            let got = foreign_protocol(bytes);
            match named {
                Some(n) => assert!(got.is_some_and(|g| g.contains(n)), "{bytes:?}: {got:?}"),
                None => assert_eq!(got, None, "{bytes:?}"),
            }
        }
    }
}
