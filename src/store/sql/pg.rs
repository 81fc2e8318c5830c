//! The PostgreSQL side: a pooled connection with its statement cache, the
//! pool's manager, and the conversions between SQLite's dynamic values (what
//! the store's code binds and reads) and PostgreSQL's typed ones.
//!
//! A connection is blocking, like the SQLite pool's (a connection per
//! blocking thread, held for the length of a read or a write group), so the
//! store's code runs unchanged on both engines: it is tokio-postgres driven by
//! a runtime of its own on the calling thread (as the `postgres` crate does),
//! which also lets the writer send statements that need no answer of their
//! own (a savepoint's end and the next one's start) in the same round trip as
//! the next statement ([`PgConn::defer`]). It must not be called on an async
//! worker thread: the store moves PostgreSQL work to a blocking thread.

use std::{
    cell::RefCell,
    collections::HashMap,
    error::Error as StdError,
    future::Future,
    pin::pin,
    time::{Duration, Instant},
};

use bytes::{Bytes, BytesMut};
use futures_util::{SinkExt, StreamExt};
use postgres::types::{FromSql, IsNull, ToSql as PgToSql, Type};
use rusqlite::{
    types::{ToSqlOutput, Value, ValueRef},
    ToSql,
};
use tokio::{runtime::Runtime, task::JoinHandle};
use tokio_postgres::Client;

use tokio_postgres_rustls::MakeRustlsConnect;

use super::{
    pg_tls,
    pg_types::{self, Probe},
    placeholders::to_dollars,
    Error, Result,
};

/// Statements kept per connection before the cache is emptied (the store's
/// statements are a few hundred distinct texts).
const STATEMENT_CACHE: usize = 1024;

/// A pooled connection taken again within this time of its last checkout is
/// not tested first: a busy connection is known to work (and a failure in use
/// closes it, so the pool drops it); one that sat idle longer (across a
/// server restart, say) is tested with an empty query before it is handed out.
const TRUSTED_WHILE_BUSY: Duration = Duration::from_secs(1);

/// How long dropping a connection waits for its goodbye to the server.
const CLOSE_WAIT: Duration = Duration::from_millis(200);

/// Bytes of `COPY` data sent to the server at a time.
const COPY_CHUNK: usize = 64 * 1024;

/// A PostgreSQL connection of the pool.
pub struct PgConn {
    /// `None` only while the connection is dropped.
    client: Option<Client>,
    /// Drives the connection's socket while a call waits on this thread
    /// (`None` only while the connection is dropped).
    runtime: Option<Runtime>,
    connection: Option<JoinHandle<()>>,
    statements: RefCell<HashMap<String, Cached>>,
    probe: Probe,
    checked_out: Instant,
    /// Statements without arguments sent ahead of the next statement, in the
    /// same round trip (see [`PgConn::defer`]).
    deferred: RefCell<String>,
    /// The last deferred statements sent failed (see [`PgConn::deferred_failed`]).
    deferred_failed: std::cell::Cell<bool>,
    /// Statements with arguments whose answer nobody reads, sent ahead of the
    /// next statement (see [`PgConn::execute_later`]).
    later: RefCell<Vec<(tokio_postgres::Statement, PgArgs)>>,
}

/// A statement text's prepared forms.
enum Cached {
    /// PostgreSQL inferred every parameter's type: one form for any values.
    Inferred(tokio_postgres::Statement),
    /// Some types had to be given: a form per kind of values bound (by
    /// [`pg_types::signature`]), as a NULL's guessed type may not fit a value.
    Typed(Vec<(String, tokio_postgres::Statement)>),
}

impl PgConn {
    /// The client (gone only while the connection is dropped).
    fn client(&self) -> Result<&Client> {
        self.client.as_ref().ok_or_else(closed)
    }

    /// Waits for `f` on this thread, the connection's socket driven meanwhile.
    fn wait<T>(&self, f: impl Future<Output = T>) -> Result<T> {
        let rt = self.runtime.as_ref().ok_or_else(closed)?;
        Ok(rt.block_on(f))
    }

    /// Runs `f` (the next statement), preceded in the same round trip by the
    /// deferred statements and the statements run later, if there are any:
    /// their error comes first.
    fn send<T>(
        &self,
        f: impl Future<Output = std::result::Result<T, tokio_postgres::Error>>,
    ) -> Result<T> {
        let deferred = self.deferred.take();
        let later = self.later.take();
        if deferred.is_empty() && later.is_empty() {
            return Ok(self.wait(f)??);
        }
        let client = self.client()?;
        let refs: Vec<_> = later.iter().map(|(_, args)| args.refs()).collect();
        let before = async {
            if deferred.is_empty() {
                Ok(())
            } else {
                client.batch_execute(&deferred).await
            }
        };
        let queued = futures_util::future::join_all(
            later
                .iter()
                .zip(&refs)
                .map(|((st, _), refs)| client.execute(st, refs)),
        );
        let (before, queued, out) = self.wait(futures_util::future::join3(before, queued, f))?;
        if let Err(e) = before {
            self.deferred_failed.set(true);
            return Err(e.into());
        }
        for done in queued {
            done?;
        }
        Ok(out?)
    }

    /// Queues a statement whose answer (rows changed) nobody reads, to be
    /// sent with the next statement in the same round trip; its error is that
    /// statement's. The writer sends what is left at the end of each write
    /// ([`PgConn::flush_later`]), so a write's error stays its own.
    pub(super) fn execute_later(&self, sql: &str, args: &[&dyn ToSql]) -> Result<()> {
        let st = self.statement(sql, args)?;
        let args = PgArgs::of(args)?;
        self.later.borrow_mut().push((st, args));
        Ok(())
    }

    /// Sends the statements queued by [`PgConn::execute_later`] (and any
    /// deferred ones) now, if there are any.
    pub(super) fn flush_later(&self) -> Result<()> {
        if self.later.borrow().is_empty() {
            return Ok(());
        }
        self.send(async { Ok(()) })
    }

    /// Drops the statements queued by [`PgConn::execute_later`] unsent (their
    /// write failed and is rolled back).
    pub(super) fn forget_later(&self) {
        self.later.borrow_mut().clear();
    }

    /// Queues statements without arguments (`SAVEPOINT`, `RELEASE`...) to be
    /// sent with the next statement or batch rather than on their own: one
    /// round trip fewer. Their error, if any, is that next call's.
    pub(super) fn defer(&self, sql: &str) {
        let mut deferred = self.deferred.borrow_mut();
        if !deferred.is_empty() {
            deferred.push_str("; ");
        }
        deferred.push_str(sql);
    }

    /// Drops the deferred statements unsent (before a `ROLLBACK`).
    pub(super) fn forget_deferred(&self) {
        self.deferred.borrow_mut().clear();
        self.later.borrow_mut().clear();
        self.deferred_failed.set(false);
    }

    /// Whether deferred statements failed when they were sent: the statement
    /// sent with them was refused for it, and the transaction is not what
    /// its writer thinks (the writer gives the group up).
    pub(super) fn deferred_failed(&self) -> bool {
        self.deferred_failed.get()
    }

    /// The prepared statement of `sql` (written with SQLite's placeholders),
    /// from the cache or prepared now with the parameter types `args` need
    /// (see [`super::pg_types`]).
    pub(super) fn statement(
        &self,
        sql: &str,
        args: &[&dyn ToSql],
    ) -> Result<tokio_postgres::Statement> {
        let signature = match self.statements.borrow().get(sql) {
            Some(Cached::Inferred(st)) => return Ok(st.clone()),
            Some(Cached::Typed(forms)) => {
                let sig = pg_types::signature(args)?;
                if let Some((_, st)) = forms.iter().find(|(s, _)| *s == sig) {
                    return Ok(st.clone());
                }
                Some(sig)
            }
            None => None,
        };
        let text = to_dollars(sql);
        let types = self.probe.types(&text, args)?;
        let st = self.send(self.client()?.prepare_typed(&text, &types))?;
        let mut cache = self.statements.borrow_mut();
        if cache.len() >= STATEMENT_CACHE {
            cache.clear();
        }
        if types.is_empty() && signature.is_none() {
            cache.insert(sql.to_string(), Cached::Inferred(st.clone()));
        } else {
            let sig = match signature {
                Some(sig) => sig,
                None => pg_types::signature(args)?,
            };
            match cache
                .entry(sql.to_string())
                .or_insert_with(|| Cached::Typed(Vec::new()))
            {
                Cached::Typed(forms) => forms.push((sig, st.clone())),
                Cached::Inferred(_) => {}
            }
        }
        Ok(st)
    }

    pub(super) fn execute(&self, sql: &str, args: &[&dyn ToSql]) -> Result<usize> {
        let st = self.statement(sql, args)?;
        let args = PgArgs::of(args)?;
        let refs = args.refs();
        let n = self.send(self.client()?.execute(&st, &refs))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(super) fn query(&self, sql: &str, args: &[&dyn ToSql]) -> Result<Vec<tokio_postgres::Row>> {
        let st = self.statement(sql, args)?;
        let args = PgArgs::of(args)?;
        let refs = args.refs();
        self.send(self.client()?.query(&st, &refs))
    }

    /// Statements without arguments, sent as one simple query (after the
    /// deferred ones and those run later, in the same round trip).
    pub(super) fn batch(&self, sql: &str) -> Result<()> {
        self.send(self.client()?.batch_execute(sql))
    }

    /// Runs `COPY ... FROM STDIN` (`sql`), `write` giving the data.
    pub fn copy_in(
        &self,
        sql: &str,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<u64> {
        let sink = self.send(self.client()?.copy_in::<_, Bytes>(sql))?;
        let mut writer = CopyWriter {
            conn: self,
            sink: Box::pin(sink),
            buf: BytesMut::new(),
        };
        write(&mut writer).map_err(|e| Error::Conversion(e.to_string()))?;
        writer.flush_chunk()?;
        Ok(self.wait(writer.sink.as_mut().finish())??)
    }

    /// Streams the rows of a query without arguments to `f`, each as
    /// SQLite's values, without holding them all.
    pub fn for_each_row(
        &self,
        sql: &str,
        mut f: impl FnMut(Vec<Value>) -> Result<()>,
    ) -> Result<()> {
        let rows = self.send(
            self.client()?
                .query_raw(sql, std::iter::empty::<&(dyn PgToSql + Sync)>()),
        )?;
        let mut rows = pin!(rows);
        while let Some(row) = self.wait(rows.next())? {
            let row = row?;
            let values = (0..row.len())
                .map(|i| Ok(row.try_get::<_, AnyValue>(i)?.0))
                .collect::<Result<Vec<_>>>()?;
            f(values)?;
        }
        Ok(())
    }

    /// Whether the server has gone (the pool drops such a connection).
    pub fn is_closed(&self) -> bool {
        self.client.as_ref().is_none_or(Client::is_closed)
    }
}

/// What a call on a connection being dropped answers.
fn closed() -> Error {
    Error::Conversion("the PostgreSQL connection is closed".into())
}

impl Drop for PgConn {
    /// Says goodbye to the server (the connection sends `Terminate` once its
    /// client is gone) rather than dropping the socket mid-session.
    fn drop(&mut self) {
        drop(self.client.take());
        let Some(runtime) = self.runtime.take() else {
            return;
        };
        // Inside another runtime (a pool dropped by async code) this one can
        // neither wait nor be dropped the blocking way: it is let go as is.
        if tokio::runtime::Handle::try_current().is_ok() {
            runtime.shutdown_background();
            return;
        }
        if let Some(connection) = self.connection.take() {
            let _ = runtime.block_on(async { tokio::time::timeout(CLOSE_WAIT, connection).await });
        }
    }
}

/// `COPY` data written in chunks to the server.
struct CopyWriter<'c> {
    conn: &'c PgConn,
    sink: std::pin::Pin<Box<tokio_postgres::CopyInSink<Bytes>>>,
    buf: BytesMut,
}

impl CopyWriter<'_> {
    fn flush_chunk(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = self.buf.split().freeze();
        Ok(self.conn.wait(self.sink.send(chunk))??)
    }
}

impl std::io::Write for CopyWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= COPY_CHUNK {
            self.flush_chunk().map_err(std::io::Error::other)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Opens PostgreSQL connections for the pool from a `postgres://` URL.
#[derive(Clone)]
pub struct PgManager {
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    probe: Probe,
}

impl std::fmt::Debug for PgManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgManager")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl PgManager {
    /// The manager for `url` (`postgres://user:pass@host:port/db?options`).
    /// `sslmode` as libpq reads it: see [`super::pg_tls`].
    pub fn new(url: &str) -> Result<Self> {
        let pg_tls::Target { mut config, tls } = pg_tls::target(url)?;
        if config.get_application_name().is_none() {
            config.application_name("ispbills");
        }
        Ok(Self {
            probe: Probe::new(postgres::Config::from(config.clone()), tls.clone()),
            config,
            tls,
        })
    }

    /// A connection outside the pool (the migration lock, `db copy`).
    pub fn connect(&self) -> Result<PgConn> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Conversion(format!("a runtime for PostgreSQL: {e}")))?;
        let (client, connection) = runtime.block_on(self.config.connect(self.tls.clone()))?;
        // Runs whenever this thread waits on the runtime; ends (and the
        // socket closes) when the client is dropped or the server goes.
        let connection = runtime.spawn(async move {
            let _ = connection.await;
        });
        Ok(PgConn {
            client: Some(client),
            runtime: Some(runtime),
            connection: Some(connection),
            statements: RefCell::new(HashMap::new()),
            probe: self.probe.clone(),
            checked_out: Instant::now(),
            deferred: RefCell::new(String::new()),
            deferred_failed: std::cell::Cell::new(false),
            later: RefCell::new(Vec::new()),
        })
    }
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PgConn;
    type Error = Error;

    fn connect(&self) -> Result<PgConn> {
        PgManager::connect(self)
    }

    fn is_valid(&self, conn: &mut PgConn) -> Result<()> {
        let idle = conn.checked_out.elapsed();
        conn.checked_out = Instant::now();
        if idle < TRUSTED_WHILE_BUSY {
            return Ok(());
        }
        conn.batch("")
    }

    fn has_broken(&self, conn: &mut PgConn) -> bool {
        conn.is_closed()
    }
}

/// A statement's arguments converted for PostgreSQL.
struct PgArgs(Vec<PgArg>);

impl PgArgs {
    fn of(args: &[&dyn ToSql]) -> Result<Self> {
        let mut out = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            let value = match a.to_sql()? {
                ToSqlOutput::Borrowed(v) => owned(v),
                ToSqlOutput::Owned(v) => v,
                _ => {
                    return Err(Error::Conversion(format!(
                        "argument {}: a kind of value PostgreSQL is not given",
                        i + 1
                    )))
                }
            };
            out.push(PgArg(value));
        }
        Ok(Self(out))
    }

    fn refs(&self) -> Vec<&(dyn PgToSql + Sync)> {
        self.0.iter().map(|a| a as &(dyn PgToSql + Sync)).collect()
    }
}

/// A borrowed SQLite value, owned.
fn owned(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// One SQLite value bound to a PostgreSQL placeholder: written as the type
/// the server inferred for it (an integer as `int2`/`int4`/`int8`, `bool` or
/// `float8`, text as any text type, `json` or `jsonb`).
#[derive(Debug)]
struct PgArg(Value);

type Boxed = Box<dyn StdError + Sync + Send>;

impl PgToSql for PgArg {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Boxed> {
        match &self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => integer(*i, ty, out),
            Value::Real(f) => match *ty {
                Type::FLOAT4 => PgToSql::to_sql(&(*f as f32), ty, out),
                Type::FLOAT8 => PgToSql::to_sql(&f, ty, out),
                Type::NUMERIC => text_as(&f.to_string(), ty, out),
                _ if is_text(ty) => PgToSql::to_sql(&f.to_string(), &Type::TEXT, out),
                _ => Err(mismatch("a real number", ty)),
            },
            Value::Text(s) => text_as(s, ty, out),
            Value::Blob(b) => match *ty {
                Type::BYTEA => PgToSql::to_sql(&b, ty, out),
                _ => Err(mismatch("bytes", ty)),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn integer(i: i64, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Boxed> {
    match *ty {
        Type::INT8 => PgToSql::to_sql(&i, ty, out),
        Type::INT4 => PgToSql::to_sql(&i32::try_from(i)?, ty, out),
        Type::INT2 => PgToSql::to_sql(&i16::try_from(i)?, ty, out),
        Type::BOOL => PgToSql::to_sql(&(i != 0), ty, out),
        Type::FLOAT8 => PgToSql::to_sql(&(i as f64), ty, out),
        Type::FLOAT4 => PgToSql::to_sql(&(i as f32), ty, out),
        Type::OID => PgToSql::to_sql(&u32::try_from(i)?, ty, out),
        Type::NUMERIC => text_as(&i.to_string(), ty, out),
        _ if is_text(ty) => PgToSql::to_sql(&i.to_string(), &Type::TEXT, out),
        _ => Err(mismatch("an integer", ty)),
    }
}

/// Text bound to a placeholder of type `ty`.
fn text_as(s: &str, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Boxed> {
    match *ty {
        _ if is_text(ty) => PgToSql::to_sql(&s, &Type::TEXT, out),
        Type::JSON => {
            out.extend_from_slice(s.as_bytes());
            Ok(IsNull::No)
        }
        Type::JSONB => {
            out.extend_from_slice(&[1]);
            out.extend_from_slice(s.as_bytes());
            Ok(IsNull::No)
        }
        Type::INT8 => PgToSql::to_sql(&s.trim().parse::<i64>()?, ty, out),
        Type::INT4 => PgToSql::to_sql(&s.trim().parse::<i32>()?, ty, out),
        Type::FLOAT8 => PgToSql::to_sql(&s.trim().parse::<f64>()?, ty, out),
        Type::NUMERIC => Err(mismatch(
            "text (write CAST(? AS BIGINT) in the statement)",
            ty,
        )),
        _ => Err(mismatch("text", ty)),
    }
}

fn is_text(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
    )
}

fn mismatch(what: &str, ty: &Type) -> Boxed {
    format!("{what} cannot be bound to a placeholder of type {ty}").into()
}

/// A PostgreSQL column as the SQLite value of the same meaning.
pub(super) struct AnyValue(pub(super) Value);

impl<'a> FromSql<'a> for AnyValue {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Boxed> {
        let v = match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Integer(i16::from_sql(ty, raw)?.into()),
            Type::OID => Value::Integer(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Integer(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::JSONB => match raw.split_first() {
                Some((1, rest)) => Value::Text(std::str::from_utf8(rest)?.to_string()),
                _ => return Err("jsonb of an unknown version".into()),
            },
            _ if is_text(ty) || *ty == Type::JSON => {
                Value::Text(std::str::from_utf8(raw)?.to_string())
            }
            _ => return Err(format!("a column of type {ty} (cast it in the statement)").into()),
        };
        Ok(Self(v))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Boxed> {
        Ok(Self(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's binary `numeric` (base-10,000 digits): an integer when it
/// has no fraction and fits, a real number otherwise.
fn numeric(raw: &[u8]) -> Result<Value, Boxed> {
    let word = |i: usize| -> Result<i16, Boxed> {
        let b = raw.get(i * 2..i * 2 + 2).ok_or("numeric cut short")?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    };
    let (ndigits, weight, sign, dscale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let mut int: i128 = 0;
    let mut real = 0f64;
    let mut exact = dscale == 0;
    for k in 0..usize::try_from(ndigits)? {
        let d = i128::from(word(4 + k)?);
        let power = i32::from(weight) - i32::try_from(k)?;
        real += d as f64 * 10_000f64.powi(power);
        if power >= 0 && exact {
            int = int
                .checked_add(
                    d.checked_mul(10_000i128.checked_pow(power as u32).ok_or("")?)
                        .ok_or("")?,
                )
                .ok_or("numeric too large")?;
        } else if d != 0 {
            exact = false;
        }
    }
    let negative = sign == 0x4000;
    if exact {
        let int = if negative { -int } else { int };
        if let Ok(i) = i64::try_from(int) {
            return Ok(Value::Integer(i));
        }
    }
    Ok(Value::Real(if negative { -real } else { real }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(words: &[i16]) -> Value {
        let raw: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
        numeric(&raw).unwrap()
    }

    #[test]
    fn numerics_read_as_integers_when_whole() {
        // 12345678 = 1234 * 10000 + 5678: two digits, weight 1.
        assert_eq!(num(&[2, 1, 0, 0, 1234, 5678]), Value::Integer(12_345_678));
        assert_eq!(
            num(&[2, 1, 0x4000u16 as i16, 0, 1234, 5678]),
            Value::Integer(-12_345_678)
        );
        // 20000: one digit 2 at weight 1.
        assert_eq!(num(&[1, 1, 0, 0, 2]), Value::Integer(20_000));
        assert_eq!(num(&[0, 0, 0, 0]), Value::Integer(0));
        // 1.5: digits 1, 5000 at weight 0, scale 1.
        assert_eq!(num(&[2, 0, 0, 1, 1, 5000]), Value::Real(1.5));
    }
}
