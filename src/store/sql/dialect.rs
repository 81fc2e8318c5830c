//! The few expressions SQLite and PostgreSQL spell differently, as SQL
//! fragments for the engine at hand. Everything else the store writes is in
//! the subset both engines share (and `instr()`/`group_concat()`, which the
//! PostgreSQL schema defines as SQLite has them).

use super::Engine;

impl Engine {
    /// The texts of the JSON array in parameter `p` (e.g. `?2`), as a
    /// subquery: `x IN {json_texts}`.
    pub fn json_texts(self, p: &str) -> String {
        match self {
            Engine::Sqlite => format!("(SELECT value FROM json_each({p}))"),
            Engine::Postgres => {
                format!(
                    "(SELECT value FROM json_array_elements_text(CAST(CAST({p} AS TEXT) AS json)))"
                )
            }
        }
    }

    /// The integers of the JSON array in parameter `p`, as a subquery.
    pub fn json_ids(self, p: &str) -> String {
        match self {
            Engine::Sqlite => format!("(SELECT value FROM json_each({p}))"),
            Engine::Postgres => format!(
                "(SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(CAST({p} AS TEXT) AS json)))"
            ),
        }
    }

    /// The calendar date (`YYYY-MM-DD`) of the UTC timestamp `ts` moved by
    /// `shift`, a parameter holding SQLite's modifier form (`+330 minutes`,
    /// `-3600 seconds`), which PostgreSQL reads as an interval.
    pub fn shifted_date(self, ts: &str, shift: &str) -> String {
        match self {
            Engine::Sqlite => format!("date({ts}, {shift})"),
            Engine::Postgres => format!(
                "to_char(CAST({ts} AS timestamp) + CAST(CAST({shift} AS TEXT) AS interval), 'YYYY-MM-DD')"
            ),
        }
    }

    /// The day of the month (an integer) of `ts` moved by `shift`, as
    /// [`Engine::shifted_date`] moves it.
    pub fn shifted_day_of_month(self, ts: &str, shift: &str) -> String {
        match self {
            Engine::Sqlite => format!("CAST(strftime('%d', {ts}, {shift}) AS INTEGER)"),
            Engine::Postgres => format!(
                "CAST(EXTRACT(DAY FROM CAST({ts} AS timestamp) + CAST(CAST({shift} AS TEXT) AS interval)) AS BIGINT)"
            ),
        }
    }
}
