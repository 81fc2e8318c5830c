//! Rows into structs and back, the same way in every table's file.
//!
//! - A row type names each of its columns once, next to its field, in
//!   [`record!`]; the SELECT list and the mapper both come from that, so they
//!   cannot drift apart. [`one`], [`all`] and [`page`] (one page of a filtered
//!   list and how many rows match in all) select them.
//! - A struct of what a caller sets gives its values, in declaration order, to
//!   the INSERT and UPDATE that write it: [`fields!`].
//! - [`value`], [`exists`] and [`execute_one`] for one-value reads and writes
//!   meant for one row, [`execute`] for other writes (each statement prepared
//!   once per connection and cached); [`Conditions`] for lists filtered by
//!   what is set.

use rusqlite::{
    types::{FromSql, FromSqlResult, ToSqlOutput, Value, ValueRef},
    ToSql,
};

use super::{
    sql::{self, Connection, OptionalExtension, Params, Row, Statement},
    StoreError,
};
use crate::domain::money::Money;

/// A struct read from the columns of one SELECT list, in order.
pub(crate) trait FromRow: Sized {
    /// The SELECT list: `a.x, a.y, ...`.
    const COLUMNS: &'static str;
    /// How many columns [`FromRow::COLUMNS`] has: the index of the first
    /// column a query selects after them.
    const WIDTH: usize;
    fn from_row(r: &Row<'_>) -> sql::Result<Self>;
}

/// Declares a row struct and its [`FromRow`] impl. A field is read from the
/// column of its name, of the table alias given after `in` (`in c`: `c.id`,
/// `c.name`, ...); `= "expr"` names another column or expression, and
/// `=> reader` a function that reads the value when it is not the field's
/// type as it stands (see [`id_list`]).
///
/// ```ignore
/// record! {
///     #[derive(Debug, Clone)]
///     pub struct BillRow in b {
///         pub id: i64,
///         pub amount: Money = "b.amount_minor",
///         pub bill_ids: Vec<i64> = "(SELECT group_concat(id) ...)" => rows::id_list,
///     }
/// }
/// ```
macro_rules! record {
    (@emit $alias:tt [$($attr:tt)*] $vis:vis $name:ident [$(
        [$($field_attr:tt)*] $field_vis:vis $field:ident : $ty:ty [$($column:literal)?] [$($read:path)?]
    )*]) => {
        $($attr)*
        $vis struct $name {
            $( $($field_attr)* $field_vis $field: $ty, )*
        }

        impl $crate::store::rows::FromRow for $name {
            const COLUMNS: &'static str = $crate::store::rows::join_columns!(
                $($crate::store::rows::column_of!($alias; $field; $($column)?)),*
            );
            const WIDTH: usize = [$(stringify!($field)),*].len();

            #[allow(unused_assignments)]
            fn from_row(r: &$crate::store::sql::Row<'_>) -> $crate::store::sql::Result<Self> {
                let mut i = 0;
                Ok(Self {
                    $($field: {
                        let value = $crate::store::rows::read_column!(r, i $(, $read)?);
                        i += 1;
                        value
                    },)*
                })
            }
        }
    };
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident $(in $alias:ident)? {
            $(
                $(#[$field_attr:meta])*
                $field_vis:vis $field:ident : $ty:ty $(= $column:literal)? $(=> $read:path)?
            ),* $(,)?
        }
    ) => {
        $crate::store::rows::record!(@emit [$($alias)?] [$(#[$attr])*] $vis $name [$(
            [$(#[$field_attr])*] $field_vis $field : $ty [$($column)?] [$($read)?]
        )*]);
    };
}
pub(crate) use record;

/// A struct of the values a caller sets, in the order of the `?1` to `?n` of
/// the INSERT and UPDATE that write them.
pub(crate) trait Fields {
    /// Every field, in declaration order.
    fn values(&self) -> Vec<&dyn ToSql>;
}

/// Declares a struct and its [`Fields`] impl: its values, in the order its
/// fields are declared. The statements number their placeholders in that
/// order, so a field moved is a placeholder to renumber.
macro_rules! fields {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$field_attr:meta])*
                $field_vis:vis $field:ident : $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        $vis struct $name {
            $( $(#[$field_attr])* $field_vis $field: $ty, )*
        }

        impl $crate::store::rows::Fields for $name {
            fn values(&self) -> Vec<&dyn rusqlite::ToSql> {
                vec![$(&self.$field),*]
            }
        }
    };
}
pub(crate) use fields;

/// The SELECT expression of a field: the one given, or the field's name
/// (after the table alias, when there is one).
macro_rules! column_of {
    ([$($alias:ident)?]; $field:ident; $column:literal) => {
        $column
    };
    ([$alias:ident]; $field:ident;) => {
        concat!(stringify!($alias), ".", stringify!($field))
    };
    ([]; $field:ident;) => {
        stringify!($field)
    };
}
pub(crate) use column_of;

/// The columns as one SELECT list: `"a", "b"` gives `"a, b"`.
macro_rules! join_columns {
    ($first:expr $(, $rest:expr)*) => {
        concat!($first $(, ", ", $rest)*)
    };
}
pub(crate) use join_columns;

/// Column `i` of `r`, as it stands or through a reader.
macro_rules! read_column {
    ($r:expr, $i:expr) => {
        $r.get($i)?
    };
    ($r:expr, $i:expr, $read:path) => {
        $read($r, $i)?
    };
}
pub(crate) use read_column;

/// Money is stored as its integer minor units.
impl ToSql for Money {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.minor()))
    }
}

impl FromSql for Money {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(value).map(Money)
    }
}

/// A JSON text column read as `T`; text that does not parse reads as `T`'s
/// default.
pub(crate) fn json_or_default<T: serde::de::DeserializeOwned + Default>(
    r: &Row<'_>,
    i: usize,
) -> sql::Result<T> {
    let text: String = r.get(i)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

/// A comma-separated list of ids (as `group_concat` gives it); NULL reads as
/// none.
pub(crate) fn id_list(r: &Row<'_>, i: usize) -> sql::Result<Vec<i64>> {
    let text: Option<String> = r.get(i)?;
    Ok(text
        .map(|t| t.split(',').filter_map(|s| s.parse().ok()).collect())
        .unwrap_or_default())
}

/// A JSON text column; NULL or text that does not parse reads as JSON null.
pub(crate) fn json_or_null(r: &Row<'_>, i: usize) -> sql::Result<serde_json::Value> {
    let text: Option<String> = r.get(i)?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null))
}

/// The `T` that `SELECT <its columns> <rest>` finds, if any (`rest`: FROM,
/// WHERE and the like).
pub(crate) fn one<T: FromRow>(
    conn: &Connection,
    rest: &str,
    args: impl Params,
) -> Result<Option<T>, StoreError> {
    Ok(select::<T>(conn, "", rest)?
        .query_row(args, T::from_row)
        .optional()?)
}

/// Every `T` that `SELECT <its columns> <rest>` finds.
pub(crate) fn all<T: FromRow>(
    conn: &Connection,
    rest: &str,
    args: impl Params,
) -> Result<Vec<T>, StoreError> {
    let rows = select::<T>(conn, "", rest)?
        .query_map(args, T::from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// [`one`] with one more column, `extra`, selected after `T`'s (a secret
/// the row type does not show).
pub(crate) fn one_with<T: FromRow, X: FromSql>(
    conn: &Connection,
    extra: &str,
    rest: &str,
    args: impl Params,
) -> Result<Option<(T, X)>, StoreError> {
    Ok(select::<T>(conn, extra, rest)?
        .query_row(args, with_extra)
        .optional()?)
}

/// [`all`] with one more column, as [`one_with`].
pub(crate) fn all_with<T: FromRow, X: FromSql>(
    conn: &Connection,
    extra: &str,
    rest: &str,
    args: impl Params,
) -> Result<Vec<(T, X)>, StoreError> {
    let rows = select::<T>(conn, extra, rest)?
        .query_map(args, with_extra)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// `SELECT <T's columns>[, extra] <rest>`, prepared (and cached).
fn select<'c, T: FromRow>(
    conn: &Connection<'c>,
    extra: &str,
    rest: &str,
) -> sql::Result<Statement<'c>> {
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(", {extra}")
    };
    conn.prepare_cached(&format!("SELECT {}{extra} {rest}", T::COLUMNS))
}

fn with_extra<T: FromRow, X: FromSql>(r: &Row<'_>) -> sql::Result<(T, X)> {
    Ok((T::from_row(r)?, r.get(T::WIDTH)?))
}

/// Runs a write meant for one row; [`StoreError::NotFound`] when it touched
/// none.
pub(crate) fn execute_one(
    conn: &Connection,
    sql: &str,
    args: impl Params,
) -> Result<(), StoreError> {
    match execute(conn, sql, args)? {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

/// Runs a write and answers how many rows it changed, its statement prepared
/// once per connection (cached): the billing run repeats a few writes per
/// customer.
pub(crate) fn execute(
    conn: &Connection,
    sql: &str,
    args: impl Params,
) -> Result<usize, StoreError> {
    Ok(conn.prepare_cached(sql)?.execute(args)?)
}

/// The one value that `sql` selects (a count, a flag, an id); no row is an
/// error.
pub(crate) fn value<T: FromSql>(
    conn: &Connection,
    sql: &str,
    args: impl Params,
) -> Result<T, StoreError> {
    Ok(conn.prepare_cached(sql)?.query_row(args, |r| r.get(0))?)
}

/// Whether `SELECT 1 <rest>` finds a row (`rest`: FROM and WHERE).
pub(crate) fn exists(conn: &Connection, rest: &str, args: impl Params) -> Result<bool, StoreError> {
    value(conn, &format!("SELECT EXISTS (SELECT 1 {rest})"), args)
}

/// The arguments of one statement: `values` (`?1` to `?n`), then `more`.
pub(crate) fn args<'a>(values: &[&'a dyn ToSql], more: &[&'a dyn ToSql]) -> Vec<&'a dyn ToSql> {
    [values, more].concat()
}

/// The conditions of a list built from the filters that are set, with their
/// arguments: each `?` in a condition added stands for the one value added
/// with it (numbered in turn: `?1`, `?2`, ...).
#[derive(Debug, Default)]
pub(crate) struct Conditions {
    clauses: Vec<String>,
    args: Vec<Value>,
}

impl Conditions {
    pub(crate) fn add(&mut self, sql: &str, value: impl Into<Value>) {
        self.args.push(value.into());
        self.clauses
            .push(sql.replace('?', &format!("?{}", self.args.len())));
    }

    /// A condition without a value, written as it is: a term SQLite can match
    /// against a partial index's WHERE (a bound value cannot be).
    pub(crate) fn add_fixed(&mut self, sql: &'static str) {
        self.clauses.push(sql.to_string());
    }

    /// The conditions joined with AND; empty when there are none.
    pub(crate) fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    /// `WHERE` and the conditions; empty when there are none.
    pub(crate) fn where_clause(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.sql())
        }
    }

    pub(crate) fn args(&self) -> Vec<&dyn ToSql> {
        self.args.iter().map(|v| v as &dyn ToSql).collect()
    }
}

/// One page of `T`s from `from` (`FROM table alias`, with any joins) where
/// `cond` holds (no WHERE when it is empty), in `order`, and how many rows
/// match in all (as the list answers it: `i64` or `u64`). `args` are the arguments of `cond`, `?1` to `?n`; the limit
/// and offset of the page follow them.
pub(crate) fn page<T: FromRow, N: TryFrom<i64> + Default>(
    conn: &Connection,
    from: &str,
    cond: &str,
    order: &str,
    args: &[&dyn ToSql],
    limit: i64,
    offset: i64,
) -> Result<(Vec<T>, N), StoreError> {
    let filter = if cond.is_empty() {
        String::new()
    } else {
        format!(" WHERE {cond}")
    };
    let total: i64 = value(conn, &format!("SELECT COUNT(*) {from}{filter}"), args)?;
    let n = args.len();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} {from}{filter} ORDER BY {order} {}",
        T::COLUMNS,
        limit_offset(n + 1)
    ))?;
    let page_args: Vec<&dyn ToSql> = args
        .iter()
        .copied()
        .chain([&limit as _, &offset as _])
        .collect();
    let rows = stmt
        .query_map(page_args.as_slice(), T::from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows, N::try_from(total).unwrap_or_default()))
}

/// `LIMIT ?first OFFSET ?first+1` for a page, written so that a cached
/// statement runs again as it is: SQLite plans with the value bound to a bare
/// `LIMIT ?N` and so prepares the statement again every time one is bound (a
/// fifth of a 20-row list's time); `?N + 0` is an expression it does not look
/// into.
pub(crate) fn limit_offset(first: usize) -> String {
    format!("LIMIT ?{first} + 0 OFFSET ?{} + 0", first + 1)
}

#[cfg(test)]
mod tests {
    use rusqlite::params;

    use super::{sql::Connection, FromRow};
    use crate::domain::money::Money;

    record! {
        #[derive(Debug, PartialEq)]
        struct Item in t {
            id: i64,
            name: String,
            price: Money = "t.price_minor",
            tags: Vec<i64> = "(SELECT group_concat(n) FROM u)" => super::id_list,
        }
    }

    record! {
        struct Plain {
            id: i64,
            name: String,
        }
    }

    #[test]
    fn columns_come_from_the_fields() {
        assert_eq!(
            Item::COLUMNS,
            "t.id, t.name, t.price_minor, (SELECT group_concat(n) FROM u)"
        );
        assert_eq!(Item::WIDTH, 4);
        assert_eq!(Plain::COLUMNS, "id, name");
    }

    #[test]
    fn rows_read_into_the_struct() -> Result<(), Box<dyn std::error::Error>> {
        let raw = rusqlite::Connection::open_in_memory()?;
        let conn = Connection::sqlite(&raw);
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, price_minor INTEGER);
             CREATE TABLE u (n INTEGER);
             INSERT INTO u VALUES (3), (5);",
        )?;
        conn.execute(
            "INSERT INTO t (name, price_minor) VALUES (?1, ?2)",
            params!["x", Money(150)],
        )?;
        let item: Option<Item> = super::one(&conn, "FROM t WHERE t.id = ?1", [1])?;
        assert_eq!(
            item,
            Some(Item {
                id: 1,
                name: "x".into(),
                price: Money(150),
                tags: vec![3, 5],
            })
        );
        let plain: Option<Plain> = super::one(&conn, "FROM t WHERE id = ?1", [1])?;
        assert_eq!(plain.map(|p| (p.id, p.name)), Some((1, "x".to_string())));
        let (page, total): (Vec<Item>, u64) = super::page(&conn, "FROM t", "", "t.id", &[], 10, 0)?;
        assert_eq!((page.len(), total), (1, 1));
        Ok(())
    }

    /// A page statement taken from the cache runs as it was prepared, for any
    /// page: a bare `LIMIT ?` would have it prepared again each time.
    #[test]
    fn a_cached_page_statement_is_not_prepared_again() -> Result<(), Box<dyn std::error::Error>> {
        let conn = rusqlite::Connection::open_in_memory()?;
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, price_minor INTEGER);
             CREATE INDEX t_name ON t (name, id);
             INSERT INTO t (name, price_minor) VALUES ('a', 1), ('b', 2), ('c', 3);",
        )?;
        let sql = |limit: &str| format!("SELECT id FROM t ORDER BY name DESC, id DESC {limit}");
        let reprepares = |sql: &str| -> rusqlite::Result<i32> {
            let mut stmt = conn.prepare(sql)?;
            for (limit, offset) in [(2i64, 0i64), (2, 2), (20, 0), (1, 1)] {
                stmt.query_map([limit, offset], |r| r.get::<_, i64>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
            }
            Ok(stmt.get_status(rusqlite::StatementStatus::RePrepare))
        };
        assert!(
            reprepares(&sql("LIMIT ?1 OFFSET ?2"))? > 0,
            "the trap this avoids"
        );
        assert_eq!(reprepares(&sql(&super::limit_offset(1)))?, 0);
        Ok(())
    }
}
