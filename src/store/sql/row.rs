//! One row of a query's answer, on either engine, read column by column into
//! any type that reads from a SQLite value (`rusqlite::types::FromSql`).

use rusqlite::types::{FromSql, FromSqlError, Value, ValueRef};

use super::{pg::AnyValue, Error, Result};

/// A row of either engine.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Pg(&'r postgres::Row),
}

/// A column of a row: by position (from 0) or by name.
pub trait ColumnIndex:
    Copy + rusqlite::RowIndex + postgres::row::RowIndex + std::fmt::Display
{
}

impl ColumnIndex for usize {}
impl ColumnIndex for &str {}

impl Row<'_> {
    /// Column `i` read as `T`: as SQLite reads it, or a PostgreSQL value
    /// taken as the SQLite value of the same meaning (integers, booleans as
    /// 0/1, floats, text, bytes, NULL) and read the same way.
    pub fn get<I: ColumnIndex, T: FromSql>(&self, i: I) -> Result<T> {
        match self {
            Row::Sqlite(r) => Ok(r.get(i)?),
            Row::Pg(r) => {
                let v: AnyValue = r.try_get(i)?;
                T::column_result(ValueRef::from(&v.0)).map_err(|e| conversion(i, &v.0, e))
            }
        }
    }

    /// Text column `i`, borrowed from the row (no copy).
    pub fn text(&self, i: usize) -> Result<&str> {
        self.text_or_null(i)?
            .ok_or_else(|| Error::Conversion(format!("column {i}: NULL where text was expected")))
    }

    /// Text column `i` or NULL, borrowed from the row.
    pub fn text_or_null(&self, i: usize) -> Result<Option<&str>> {
        match self {
            Row::Sqlite(r) => r
                .get_ref(i)?
                .as_str_or_null()
                .map_err(|e| Error::Conversion(format!("column {i}: {e}"))),
            Row::Pg(r) => Ok(r.try_get::<_, Option<&str>>(i)?),
        }
    }

    /// Column `i` as SQLite's dynamic value.
    pub fn get_value<I: ColumnIndex>(&self, i: I) -> Result<Value> {
        self.get(i)
    }
}

fn conversion<I: ColumnIndex>(i: I, v: &Value, e: FromSqlError) -> Error {
    Error::Conversion(format!("column {i} ({:?}): {e}", v.data_type()))
}
