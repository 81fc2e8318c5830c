//! The parameter types of a statement, found before it is prepared on the
//! connection that runs it.
//!
//! The store's SQL leaves its parameters untyped, as SQLite allows; PostgreSQL
//! infers each from where it is used, and refuses a statement where it
//! cannot (`?1 IS NULL OR c.operator_id = ?1`: the first use fixes nothing,
//! so the two disagree). Such a statement needs its types given. They are
//! found by trial on a probe connection of its own, never in a transaction:
//! a refused parse inside a write's transaction would abort it. Each
//! parameter PostgreSQL names is tried as the type of the value bound to it,
//! then as BIGINT, TEXT, DOUBLE PRECISION and BYTEA, until the statement
//! parses. This runs once per statement text per connection (the cache keeps
//! what it found).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use postgres::{error::SqlState, types::Type, Client};
use rusqlite::{types::ValueRef, ToSql};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::Result;

/// The most parses one statement's types may take.
const MAX_TRIES: usize = 64;

/// Statements (with their signatures) whose types are remembered.
const MAX_FOUND: usize = 4096;

/// The probe connection, shared by a pool's connections and opened on first
/// use (again after it broke).
#[derive(Clone)]
pub(super) struct Probe {
    config: postgres::Config,
    tls: MakeRustlsConnect,
    client: Arc<Mutex<Option<Client>>>,
    /// What was found, by statement and [`signature`]: each trial runs once
    /// per process, not once per pooled connection (the server logs every
    /// refused parse).
    found: Arc<Mutex<Found>>,
}

/// Types found, by statement text and signature.
type Found = HashMap<(String, String), Vec<Type>>;

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Probe")
    }
}

impl Probe {
    pub(super) fn new(config: postgres::Config, tls: MakeRustlsConnect) -> Self {
        Self {
            config,
            tls,
            client: Arc::new(Mutex::new(None)),
            found: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The types to prepare `sql` (with `$N` placeholders) with, for the
    /// values `args`: empty when PostgreSQL infers them all, or when the
    /// statement fails for another reason (its own connection reports it).
    pub(super) fn types(&self, sql: &str, args: &[&dyn ToSql]) -> Result<Vec<Type>> {
        let key = (sql.to_string(), signature(args)?);
        let found = self.found.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(types) = found.get(&key) {
            return Ok(types.clone());
        }
        drop(found);
        let Some(types) = self.trial(sql, args)? else {
            return Ok(Vec::new());
        };
        let mut found = self.found.lock().unwrap_or_else(|p| p.into_inner());
        if found.len() >= MAX_FOUND {
            found.clear();
        }
        found.insert(key, types.clone());
        Ok(types)
    }

    /// [`Probe::types`] found by trial; `None` when the trial ended on
    /// another error (not remembered: it may pass later).
    fn trial(&self, sql: &str, args: &[&dyn ToSql]) -> Result<Option<Vec<Type>>> {
        let mut guard = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_some_and(Client::is_closed) {
            *guard = None;
        }
        let client = match &mut *guard {
            Some(c) => c,
            empty => empty.insert(self.config.connect(self.tls.clone())?),
        };
        let mut trial = Trial::new(args)?;
        for _ in 0..MAX_TRIES {
            match client.prepare_typed(sql, &trial.types) {
                Ok(_) => return Ok(Some(trial.types)),
                // An error that is not about the types (a table the probe
                // cannot see yet, created by the uncommitted transaction
                // that asks, as a migration does): the statement is left to
                // the connection that runs it, as written.
                Err(e) if !trial.next(&e) => return Ok(None),
                Err(_) => {}
            }
        }
        Ok(None)
    }
}

/// The types being tried for one statement.
struct Trial {
    /// Each argument's own type (`None` for NULL).
    own: Vec<Option<Type>>,
    types: Vec<Type>,
    /// Per parameter, how many candidates have been tried.
    tried: Vec<usize>,
    /// The parameter changed last (a type error now is its candidate's).
    last: Option<usize>,
}

impl Trial {
    fn new(args: &[&dyn ToSql]) -> Result<Self> {
        let own = args
            .iter()
            .map(|a| {
                Ok(match a.to_sql()? {
                    rusqlite::types::ToSqlOutput::Borrowed(v) => own_type(v),
                    rusqlite::types::ToSqlOutput::Owned(v) => own_type((&v).into()),
                    _ => None,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            tried: vec![0; own.len()],
            own,
            types: Vec::new(),
            last: None,
        })
    }

    /// Moves to the next choice after `e`; false when there is none.
    fn next(&mut self, e: &postgres::Error) -> bool {
        let Some(code) = e.code() else { return false };
        let param = if *code == SqlState::AMBIGUOUS_PARAMETER
            || *code == SqlState::INDETERMINATE_DATATYPE
        {
            e.as_db_error().and_then(|d| named_parameter(d.message()))
        } else if *code == SqlState::UNDEFINED_FUNCTION
            || *code == SqlState::DATATYPE_MISMATCH
            || *code == SqlState::AMBIGUOUS_FUNCTION
            || *code == SqlState::CANNOT_COERCE
        {
            self.last
        } else {
            None
        };
        let Some(i) = param.and_then(|n| n.checked_sub(1)) else {
            return false;
        };
        if i >= self.own.len() {
            return false;
        }
        let Some(ty) = self.candidate(i) else {
            return false;
        };
        if self.types.len() <= i {
            self.types.resize(i + 1, Type::UNKNOWN);
        }
        self.types[i] = ty;
        self.last = Some(i + 1);
        true
    }

    /// Parameter `i`'s next candidate type.
    fn candidate(&mut self, i: usize) -> Option<Type> {
        let mut list = Vec::with_capacity(5);
        list.extend(self.own[i].clone());
        for t in [Type::INT8, Type::TEXT, Type::FLOAT8, Type::BYTEA] {
            if !list.contains(&t) {
                list.push(t);
            }
        }
        let ty = list.get(self.tried[i]).cloned();
        self.tried[i] += 1;
        ty
    }
}

/// The kinds of values `args` binds (a letter each: NULL, integer, real,
/// text, blob): the statement's typed forms are kept per signature.
pub(super) fn signature(args: &[&dyn ToSql]) -> Result<String> {
    args.iter()
        .map(|a| {
            let kind = |v: ValueRef<'_>| match v {
                ValueRef::Null => 'n',
                ValueRef::Integer(_) => 'i',
                ValueRef::Real(_) => 'r',
                ValueRef::Text(_) => 't',
                ValueRef::Blob(_) => 'b',
            };
            Ok(match a.to_sql()? {
                rusqlite::types::ToSqlOutput::Borrowed(v) => kind(v),
                rusqlite::types::ToSqlOutput::Owned(v) => kind((&v).into()),
                _ => 'n',
            })
        })
        .collect()
}

/// The PostgreSQL type of a SQLite value; `None` for NULL.
fn own_type(v: ValueRef<'_>) -> Option<Type> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(_) => Some(Type::INT8),
        ValueRef::Real(_) => Some(Type::FLOAT8),
        ValueRef::Text(_) => Some(Type::TEXT),
        ValueRef::Blob(_) => Some(Type::BYTEA),
    }
}

/// `N` of "... parameter $N" in a server message.
fn named_parameter(message: &str) -> Option<usize> {
    let at = message.rfind('$')?;
    let digits: String = message[at + 1..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::named_parameter;

    #[test]
    fn the_parameter_is_read_from_the_message() {
        assert_eq!(
            named_parameter("could not determine data type of parameter $12"),
            Some(12)
        );
        assert_eq!(
            named_parameter("inconsistent types deduced for parameter $3"),
            Some(3)
        );
        assert_eq!(named_parameter("syntax error"), None);
    }
}
