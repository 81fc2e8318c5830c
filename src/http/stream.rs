//! One guarded connection: it follows the HTTP/1 exchange from the bytes going
//! each way, enforces the header-read and keep-alive deadlines on reads,
//! closes when evicted, and puts the envelope on the parser's error answers.
//!
//! Reading: a request head ends at the first empty line after a non-empty
//! one. Writing: a response ends after its `content-length` bytes, its last
//! chunk, or at once for HEAD, 1xx, 204 and 304; without either it lasts
//! until the connection closes. Between a request head and the end of its
//! response the connection is busy: no deadline, never evicted (hyper polls
//! the read side during that time to notice a client going away).
//!
//! A connection that opens with the HTTP/2 preface, or switches protocols
//! (101), is only closed after `keepalive` without any traffic.

use std::{
    future::Future,
    io,
    pin::Pin,
    sync::{atomic::Ordering, Arc},
    task::{ready, Context, Poll},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    time::{Instant, Sleep},
};

use super::{
    acceptor::{Entry, Registry, BUSY, EVICTED},
    envelope,
};

const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// Longest response head followed; a longer one is taken to last until close.
const MAX_RESPONSE_HEAD: usize = 16 * 1024;
/// After an error answer, how long and how much the rest of the request is
/// read and dropped before closing (so the close does not reset the answer
/// away before the client reads it).
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// HTTP/1 (until the first bytes show the HTTP/2 preface).
    Http1,
    /// HTTP/2 with prior knowledge, or after a protocol switch.
    Opaque,
}

/// The request side of an HTTP/1 exchange.
#[derive(Debug, Clone, Copy)]
enum Request {
    /// Waiting for a request head.
    Head {
        /// No request yet on this connection.
        first: bool,
        /// When the wait began (accept, or the end of the last response).
        since: Instant,
        /// The first byte of this head.
        started: Option<Instant>,
        /// A byte other than CR/LF was seen (leading empty lines do not
        /// count).
        content: bool,
        /// The last line ended (LF seen, maybe a CR after it).
        line_end: bool,
        /// The first bytes spell "HEAD ".
        method: MethodSniff,
    },
    /// A request head was read; its response has not ended.
    Busy { head: bool },
}

/// Recognises the method HEAD from the first bytes of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MethodSniff {
    Matching(u8),
    Head,
    Other,
}

impl MethodSniff {
    fn feed(self, byte: u8) -> Self {
        match self {
            Self::Matching(n) => {
                if b"HEAD ".get(usize::from(n)) == Some(&byte) {
                    if n == 4 {
                        Self::Head
                    } else {
                        Self::Matching(n + 1)
                    }
                } else {
                    Self::Other
                }
            }
            done => done,
        }
    }
}

/// The response side of an HTTP/1 exchange.
#[derive(Debug)]
enum Response {
    /// No response under way.
    Idle,
    /// A response head being written.
    Head(Vec<u8>),
    /// Body bytes still to go.
    Body(u64),
    /// A chunked body: the last bytes written, to spot the last chunk.
    Chunked([u8; 7]),
    /// Ends when the connection closes.
    UntilClose,
}

/// What a finished response head says about its body.
#[derive(Debug, PartialEq, Eq)]
enum Framing {
    Interim,
    Switch,
    Done,
    Length(u64),
    Chunked,
    UntilClose,
}

/// The envelope answer replacing the parser's bare one.
struct Rewrite {
    bytes: Vec<u8>,
    written: usize,
}

/// A connection under the registry's watch.
pub struct GuardedStream<S> {
    inner: S,
    id: u64,
    entry: Arc<Entry>,
    registry: Arc<Registry>,
    accepted: Instant,
    protocol: Protocol,
    /// Bytes of the HTTP/2 preface matched so far (`None`: decided).
    preface: Option<usize>,
    request: Request,
    response: Response,
    last_traffic: Instant,
    timer: Pin<Box<Sleep>>,
    /// Set once this layer ended the connection (timeout or eviction): reads
    /// then see the end of the stream.
    ended: bool,
    rewrite: Option<Rewrite>,
    linger: Option<(Instant, usize)>,
    shut: bool,
}

impl<S> GuardedStream<S> {
    pub(super) fn new(
        inner: S,
        id: u64,
        entry: Arc<Entry>,
        registry: Arc<Registry>,
        accepted: Instant,
    ) -> Self {
        Self {
            inner,
            id,
            entry,
            registry,
            accepted,
            protocol: Protocol::Http1,
            preface: Some(0),
            request: head_wait(true, accepted),
            response: Response::Idle,
            last_traffic: accepted,
            timer: Box::pin(tokio::time::sleep_until(accepted)),
            ended: false,
            rewrite: None,
            linger: None,
            shut: false,
        }
    }

    /// The deadline reads are held to now, and whether it is the header one.
    fn deadline(&self) -> Option<(Instant, bool)> {
        let limits = &self.registry.limits;
        if self.protocol == Protocol::Opaque {
            return Some((self.last_traffic + limits.keepalive, false));
        }
        match self.request {
            Request::Busy { .. } => None,
            Request::Head { first: true, .. } => Some((self.accepted + limits.header_read, true)),
            Request::Head {
                started: Some(at), ..
            } => Some((at + limits.header_read, true)),
            Request::Head { since, .. } => Some((since + limits.keepalive, false)),
        }
    }

    /// Follows the bytes read; false when the connection was evicted before
    /// they could make it busy (they are then dropped).
    fn on_read(&mut self, data: &[u8], now: Instant) -> bool {
        self.last_traffic = now;
        if let Some(matched) = self.preface {
            let want = H2_PREFACE.get(matched..).unwrap_or_default();
            let n = want.len().min(data.len());
            if data.get(..n) != want.get(..n) {
                self.preface = None;
            } else if matched + n == H2_PREFACE.len() {
                self.preface = None;
                self.go_opaque();
            } else {
                self.preface = Some(matched + n);
            }
        }
        if self.protocol == Protocol::Opaque {
            return true;
        }
        let Request::Head {
            first,
            since,
            mut started,
            mut content,
            mut line_end,
            mut method,
        } = self.request
        else {
            return true;
        };
        started.get_or_insert(now);
        for &byte in data {
            match byte {
                b'\n' if line_end && content => {
                    return self.become_busy(method == MethodSniff::Head);
                }
                b'\n' => line_end = true,
                b'\r' => {}
                other => {
                    content = true;
                    line_end = false;
                    method = method.feed(other);
                }
            }
        }
        self.request = Request::Head {
            first,
            since,
            started,
            content,
            line_end,
            method,
        };
        true
    }

    /// The connection starts serving a request; false if it was evicted.
    fn become_busy(&mut self, head: bool) -> bool {
        self.request = Request::Busy { head };
        let mut idle = self.entry.idle.load(Ordering::Acquire);
        loop {
            if idle == EVICTED {
                return false;
            }
            match self
                .entry
                .idle
                .compare_exchange(idle, BUSY, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(now) => idle = now,
            }
        }
    }

    /// Waiting for the next request from now on.
    fn become_idle(&mut self, now: Instant) {
        self.request = head_wait(false, now);
        let stamp = self.registry.idle_stamp(now);
        let _ = self
            .entry
            .idle
            .compare_exchange(BUSY, stamp, Ordering::AcqRel, Ordering::Acquire);
        // A read may be pending from while the connection was busy (with no
        // deadline): wake it so that it arms the keep-alive one.
        self.entry.waker.wake();
    }

    /// No longer HTTP/1 as far as this layer can tell: busy, idle timeout only.
    fn go_opaque(&mut self) {
        self.protocol = Protocol::Opaque;
        self.response = Response::UntilClose;
        if !self.become_busy(false) {
            self.ended = true;
        }
    }

    /// Follows the bytes written.
    fn on_written(&mut self, mut data: &[u8], now: Instant) {
        self.last_traffic = now;
        if self.protocol == Protocol::Opaque {
            return;
        }
        while !data.is_empty() {
            match &mut self.response {
                Response::Idle => {
                    if let Request::Head { .. } = self.request {
                        // An answer while no request head was seen whole
                        // (pipelined requests): busy until it ends.
                        if !self.become_busy(false) {
                            self.ended = true;
                        }
                    }
                    self.response = Response::Head(Vec::new());
                }
                Response::Head(head) => {
                    let (used, complete) = take_head(head, data);
                    data = data.get(used..).unwrap_or_default();
                    if complete {
                        let framing = framing(head);
                        self.start_body(framing, now);
                    } else if head.len() > MAX_RESPONSE_HEAD {
                        self.response = Response::UntilClose;
                    }
                }
                Response::Body(left) => {
                    let n = (*left).min(data.len() as u64);
                    *left -= n;
                    data = data
                        .get(usize::try_from(n).unwrap_or(data.len())..)
                        .unwrap_or_default();
                    if *left == 0 {
                        self.end_response(now);
                    }
                }
                Response::Chunked(tail) => {
                    for &byte in data {
                        tail.rotate_left(1);
                        tail[6] = byte;
                    }
                    data = &[];
                    // The last chunk, with no trailers, after a line end.
                    if tail.ends_with(b"\n0\r\n\r\n") {
                        self.end_response(now);
                    }
                }
                Response::UntilClose => data = &[],
            }
        }
    }

    fn start_body(&mut self, framing: Framing, now: Instant) {
        let head_request = matches!(self.request, Request::Busy { head: true });
        self.response = match framing {
            Framing::Interim => Response::Idle,
            Framing::Switch => {
                self.go_opaque();
                Response::UntilClose
            }
            Framing::Done => return self.end_response(now),
            _ if head_request => return self.end_response(now),
            Framing::Length(0) => return self.end_response(now),
            Framing::Length(n) => Response::Body(n),
            Framing::Chunked => Response::Chunked([0; 7]),
            Framing::UntilClose => Response::UntilClose,
        };
    }

    fn end_response(&mut self, now: Instant) {
        self.response = Response::Idle;
        self.become_idle(now);
    }
}

fn head_wait(first: bool, since: Instant) -> Request {
    Request::Head {
        first,
        since,
        started: None,
        content: false,
        line_end: false,
        method: MethodSniff::Matching(0),
    }
}

/// How the body after a whole response head is framed.
/// Adds to `head` the bytes of `data` up to the blank line that ends a
/// response head (which may straddle writes: the search starts three bytes
/// back), or up to one byte past [`MAX_RESPONSE_HEAD`]. Answers the bytes of
/// `data` taken and whether the head is now complete.
fn take_head(head: &mut Vec<u8>, data: &[u8]) -> (usize, bool) {
    let before = head.len();
    let room = (MAX_RESPONSE_HEAD + 1).saturating_sub(before);
    head.extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
    let from = before.saturating_sub(3);
    let end = head
        .get(from..)
        .and_then(|tail| tail.windows(4).position(|w| w == b"\r\n\r\n"))
        .map(|at| from + at + 4);
    if let Some(end) = end {
        head.truncate(end);
    }
    (head.len() - before, end.is_some())
}

/// How the response of `head` (a whole response head) is framed. On bytes,
/// without copying: this runs for every response.
fn framing(head: &[u8]) -> Framing {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status = lines
        .next()
        .and_then(|l| l.split(|&b| b == b' ').nth(1))
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(0);
    match status {
        101 => return Framing::Switch,
        100..=199 => return Framing::Interim,
        204 | 304 => return Framing::Done,
        _ => {}
    }
    let mut length = None;
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = line.split_at(colon);
        let (name, value) = (name.trim_ascii(), value.get(1..).unwrap_or_default());
        if name.eq_ignore_ascii_case(b"transfer-encoding")
            && value.windows(7).any(|w| w.eq_ignore_ascii_case(b"chunked"))
        {
            return Framing::Chunked;
        }
        if name.eq_ignore_ascii_case(b"content-length") {
            length = std::str::from_utf8(value.trim_ascii())
                .ok()
                .and_then(|v| v.parse::<u64>().ok());
        }
    }
    length.map_or(Framing::UntilClose, Framing::Length)
}

impl<S: AsyncRead + AsyncWrite + Unpin> GuardedStream<S> {
    /// Writes what is left of the envelope answer.
    fn poll_rewrite(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some(rewrite) = self.rewrite.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        while rewrite.written < rewrite.bytes.len() {
            let rest = rewrite.bytes.get(rewrite.written..).unwrap_or_default();
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            rewrite.written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// After an error answer: reads and drops what the client still sends,
    /// for a short while, so that closing does not reset the answer away.
    fn poll_linger(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some((until, mut budget)) = self.linger else {
            return Poll::Ready(());
        };
        let mut sink = [0u8; 8192];
        loop {
            let mut buf = ReadBuf::new(&mut sink);
            match Pin::new(&mut self.inner).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                    budget = budget.saturating_sub(buf.filled().len());
                    if budget == 0 {
                        break;
                    }
                }
                Poll::Ready(_) => break,
                Poll::Pending => {
                    self.linger = Some((until, budget));
                    if self.timer.deadline() != until {
                        self.timer.as_mut().reset(until);
                    }
                    if self.timer.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    break;
                }
            }
        }
        self.linger = None;
        Poll::Ready(())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for GuardedStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.ended || this.entry.is_evicted() {
            this.ended = true;
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let now = Instant::now();
                let read = buf.filled().get(before..).unwrap_or_default();
                if !read.is_empty() && !this.on_read(read, now) {
                    // Evicted while idle: the bytes were not a request yet.
                    buf.set_filled(before);
                    this.ended = true;
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                this.entry.waker.register(cx.waker());
                if this.entry.is_evicted() {
                    this.ended = true;
                    return Poll::Ready(Ok(()));
                }
                let Some((deadline, header)) = this.deadline() else {
                    return Poll::Pending;
                };
                if this.timer.deadline() != deadline {
                    this.timer.as_mut().reset(deadline);
                }
                if this.timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                if header {
                    this.registry.metrics.header_timeouts.inc();
                } else {
                    this.registry.metrics.idle_timeouts.inc();
                }
                this.ended = true;
                Poll::Ready(Ok(()))
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for GuardedStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.rewrite.is_some() {
            // The envelope answer replaces the parser's; what follows it
            // (nothing, normally) is dropped.
            ready!(this.poll_rewrite(cx))?;
            return Poll::Ready(Ok(buf.len()));
        }
        if this.protocol == Protocol::Http1 && matches!(this.response, Response::Idle) {
            if let Some(status) = envelope::parser_error_status(buf) {
                this.registry.metrics.malformed.inc();
                this.rewrite = Some(Rewrite {
                    bytes: envelope::malformed(status),
                    written: 0,
                });
                this.linger = Some((Instant::now() + LINGER_TIME, LINGER_BYTES));
                this.response = Response::UntilClose;
                ready!(this.poll_rewrite(cx))?;
                return Poll::Ready(Ok(buf.len()));
            }
        }
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, buf))?;
        let written = buf.get(..n).unwrap_or_default();
        this.on_written(written, Instant::now());
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_rewrite(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_rewrite(cx))?;
        if !this.shut {
            ready!(Pin::new(&mut this.inner).poll_shutdown(cx))?;
            this.shut = true;
        }
        ready!(this.poll_linger(cx));
        Poll::Ready(Ok(()))
    }
}

impl<S> Drop for GuardedStream<S> {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_response_heads_framing_is_read_from_its_bytes() {
        let cases: [(&[u8], Framing); 8] = [
            (
                b"HTTP/1.1 200 OK\r\ncontent-length: 17\r\n\r\n",
                Framing::Length(17),
            ),
            (
                b"HTTP/1.1 201 Created\r\nx: 1\r\nContent-Length:0\r\n\r\n",
                Framing::Length(0),
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n",
                Framing::Chunked,
            ),
            (b"HTTP/1.1 200 OK\r\ndate: x\r\n\r\n", Framing::UntilClose),
            (
                b"HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\n",
                Framing::Done,
            ),
            (b"HTTP/1.1 304 Not Modified\r\n\r\n", Framing::Done),
            (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", Framing::Switch),
            (b"HTTP/1.1 100 Continue\r\n\r\n", Framing::Interim),
        ];
        for (head, expected) in cases {
            assert_eq!(framing(head), expected, "{}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn a_response_head_is_found_whole_and_split_anywhere() {
        let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
        let end = answer.len() - 2;
        for split in 0..=answer.len() {
            let mut head = Vec::new();
            let (first, second) = answer.split_at(split);
            let (used, complete) = take_head(&mut head, first);
            let (used, complete) = if complete {
                (used, true)
            } else {
                let (more, complete) = take_head(&mut head, second);
                (used + more, complete)
            };
            assert!(complete, "split at {split}");
            assert_eq!(used, end, "split at {split}");
            assert_eq!(head, answer[..end], "split at {split}");
        }
    }

    #[test]
    fn a_head_without_its_end_stops_one_byte_past_the_cap() {
        let mut head = Vec::new();
        let data = vec![b'x'; MAX_RESPONSE_HEAD + 100];
        assert_eq!(take_head(&mut head, &data), (MAX_RESPONSE_HEAD + 1, false));
        assert_eq!(take_head(&mut head, b"\r\n\r\n"), (0, false));
    }
    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

    use super::{
        super::{acceptor::Admit, Limits},
        *,
    };
    use crate::metrics::ConnMetrics;

    fn registry(max_connections: usize, header_ms: u64, keepalive_ms: u64) -> Arc<Registry> {
        Registry::new(
            Limits {
                max_connections,
                header_read: Duration::from_millis(header_ms),
                keepalive: Duration::from_millis(keepalive_ms),
            },
            ConnMetrics::default(),
        )
    }

    /// A guarded connection and the client's end of it.
    fn connect(
        reg: &Arc<Registry>,
    ) -> Option<(GuardedStream<DuplexStream>, DuplexStream, Arc<Entry>)> {
        let now = Instant::now();
        let Admit::Yes(id, entry) = reg.admit(now) else {
            return None;
        };
        let (client, server) = tokio::io::duplex(1 << 16);
        Some((
            GuardedStream::new(server, id, entry.clone(), reg.clone(), now),
            client,
            entry,
        ))
    }

    fn busy(entry: &Entry) -> bool {
        entry.idle.load(Ordering::Acquire) == BUSY
    }

    async fn request(
        server: &mut GuardedStream<DuplexStream>,
        client: &mut DuplexStream,
        req: &[u8],
    ) {
        client.write_all(req).await.unwrap();
        let mut buf = vec![0u8; req.len()];
        server.read_exact(&mut buf).await.unwrap();
    }

    #[tokio::test]
    async fn busy_from_a_whole_request_head_to_the_end_of_its_response() {
        let reg = registry(10, 10_000, 60_000);
        let (mut s, mut c, entry) = connect(&reg).unwrap();
        assert!(!busy(&entry), "a new connection is idle");
        // Leading empty lines and a partial head are not a request yet.
        request(&mut s, &mut c, b"\r\n\r\nGET / HTTP/1.1\r\nhost: x\r\n").await;
        assert!(!busy(&entry));
        request(&mut s, &mut c, b"\r\n").await;
        assert!(busy(&entry));
        // A length-framed body written in pieces.
        s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n12345")
            .await
            .unwrap();
        assert!(busy(&entry));
        s.write_all(b"67890").await.unwrap();
        assert!(!busy(&entry), "idle once the body is out");

        // Chunked, after an interim 100 Continue.
        request(&mut s, &mut c, b"POST / HTTP/1.1\nexpect: 100-continue\n\n").await;
        s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await.unwrap();
        assert!(busy(&entry));
        s.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n")
            .await
            .unwrap();
        assert!(busy(&entry));
        s.write_all(b"0\r\n\r\n").await.unwrap();
        assert!(!busy(&entry));

        // HEAD: the head alone ends the answer.
        request(&mut s, &mut c, b"HEAD / HTTP/1.1\r\n\r\n").await;
        assert!(busy(&entry));
        s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n")
            .await
            .unwrap();
        assert!(!busy(&entry));
    }

    #[tokio::test]
    async fn at_the_cap_the_oldest_idle_connection_is_evicted_never_a_busy_one() {
        let reg = registry(2, 10_000, 60_000);
        let (mut a, _ca, a_entry) = connect(&reg).unwrap();
        let (mut b, mut cb, _) = connect(&reg).unwrap();
        request(&mut b, &mut cb, b"GET / HTTP/1.1\r\n\r\n").await;
        // `a` waits for a request head; a third connection evicts it.
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 16];
            let n = a.read(&mut buf).await.unwrap();
            (n, a)
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (_c, _cc, _) = connect(&reg).unwrap();
        assert!(a_entry.is_evicted());
        let (n, a) = tokio::time::timeout(Duration::from_secs(5), reader)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(n, 0, "the evicted connection sees the end of the stream");
        assert_eq!(reg.metrics.evicted.get(), 1);
        drop(a);
        assert_eq!(reg.open(), 2);
        // Now `b` is busy and `_c` is the only idle one: it goes next; with
        // both busy a newcomer is refused.
        let (mut d, mut cd, _) = connect(&reg).unwrap();
        request(&mut d, &mut cd, b"GET / HTTP/1.1\r\n\r\n").await;
        assert!(matches!(reg.admit(Instant::now()), Admit::No));
        // Its response done, `b` is idle again and may make room.
        b.write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
            .await
            .unwrap();
        assert!(matches!(reg.admit(Instant::now()), Admit::Yes(..)));
    }

    #[tokio::test]
    async fn deadlines_apply_only_while_waiting_for_a_request_head() {
        let reg = registry(10, 150, 300);
        // Header timeout from accept, bytes or not.
        let (mut s, mut c, _) = connect(&reg).unwrap();
        c.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        let started = Instant::now();
        let mut buf = vec![0u8; 64];
        let mut got = 0;
        loop {
            let n = s.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got += n;
        }
        assert_eq!(got, 16);
        assert!(started.elapsed() < Duration::from_millis(1000));
        assert_eq!(reg.metrics.header_timeouts.get(), 1);

        // Busy: no deadline at all.
        let (mut s, mut c, _) = connect(&reg).unwrap();
        request(&mut s, &mut c, b"GET / HTTP/1.1\r\n\r\n").await;
        let mut one = [0u8; 1];
        let waited = tokio::time::timeout(Duration::from_millis(600), s.read(&mut one)).await;
        assert!(waited.is_err(), "a busy connection is not timed out");
        // After the response: the keep-alive timeout.
        s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .await
            .unwrap();
        let started = Instant::now();
        assert_eq!(s.read(&mut one).await.unwrap(), 0);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(250) && took < Duration::from_millis(1000),
            "{took:?}"
        );
        assert_eq!(reg.metrics.idle_timeouts.get(), 1);
    }

    #[tokio::test]
    async fn the_http2_preface_leaves_only_the_idle_timeout() {
        let reg = registry(1, 100, 400);
        let (mut s, mut c, entry) = connect(&reg).unwrap();
        request(&mut s, &mut c, &H2_PREFACE[..10]).await;
        request(&mut s, &mut c, &H2_PREFACE[10..]).await;
        assert!(busy(&entry), "not evictable");
        assert!(matches!(reg.admit(Instant::now()), Admit::No));
        let started = Instant::now();
        let mut one = [0u8; 1];
        assert_eq!(s.read(&mut one).await.unwrap(), 0);
        assert!(started.elapsed() >= Duration::from_millis(300));
    }

    #[tokio::test]
    async fn the_parsers_bare_error_becomes_the_envelope() {
        let reg = registry(10, 10_000, 60_000);
        let (mut s, mut c, _) = connect(&reg).unwrap();
        request(&mut s, &mut c, b"GET /\0 HTTP/1.1\r\n\r\n").await;
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        // hyper is told its whole answer went out.
        assert_eq!(s.write(bare).await.unwrap(), bare.len());
        s.shutdown().await.unwrap();
        drop(s);
        let mut out = String::new();
        c.read_to_string(&mut out).await.unwrap();
        assert!(out.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{out}");
        assert!(out.contains("\"code\":\"BAD_REQUEST\""), "{out}");
        assert_eq!(reg.metrics.malformed.get(), 1);
    }
}
