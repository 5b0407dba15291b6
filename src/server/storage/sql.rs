//! Queries whose text depends on their input (filters, lists of ids), built
//! on sqlx's [`QueryBuilder`]: each bound value writes its own placeholder
//! (`$N` on PostgreSQL, `?` on SQLite), so no SQL text is ever scanned or
//! rewritten. A list is bound as one value, so a query keeps one text (one
//! prepared statement) whatever the list's length, and never meets SQLite's
//! limit on the number of variables.

use std::fmt::Display;
use std::ops::{Deref, DerefMut};

use sqlx::{Database, Postgres, QueryBuilder, Sqlite};

/// A single value bound to a built query.
#[derive(Debug, Clone)]
pub enum Arg {
    Bool(bool),
    Int(i64),
    Text(String),
}

impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}

/// A list bound as one value.
#[derive(Debug, Clone, Copy)]
pub enum List<'a> {
    Ints(&'a [i64]),
    Texts(&'a [String]),
}

impl<'a> From<&'a [i64]> for List<'a> {
    fn from(v: &'a [i64]) -> Self {
        List::Ints(v)
    }
}

impl<'a> From<&'a [String]> for List<'a> {
    fn from(v: &'a [String]) -> Self {
        List::Texts(v)
    }
}

/// How each backend binds values and lists.
pub trait Dialect: Database {
    fn bind(q: &mut QueryBuilder<'static, Self>, arg: Arg);

    /// `expr` is one of `list`.
    fn push_in(q: &mut QueryBuilder<'static, Self>, expr: &str, list: List<'_>);

    /// `list` as a table of one column, `value`, to select or join from.
    fn push_table(q: &mut QueryBuilder<'static, Self>, list: List<'_>);
}

/// SQLite has no arrays: the list travels as JSON text and `json_each`
/// turns it back into rows.
impl Dialect for Sqlite {
    fn bind(q: &mut QueryBuilder<'static, Self>, arg: Arg) {
        match arg {
            Arg::Bool(v) => q.push_bind(v),
            Arg::Int(v) => q.push_bind(v),
            Arg::Text(s) => q.push_bind(s),
        };
    }

    fn push_in(q: &mut QueryBuilder<'static, Self>, expr: &str, list: List<'_>) {
        q.push(expr).push(" IN (SELECT value FROM ");
        Self::push_table(q, list);
        q.push(")");
    }

    fn push_table(q: &mut QueryBuilder<'static, Self>, list: List<'_>) {
        let json = match list {
            List::Ints(v) => serde_json::Value::from(v),
            List::Texts(v) => serde_json::Value::from(v),
        };
        q.push("json_each(").push_bind(json.to_string()).push(")");
    }
}

/// PostgreSQL binds the list as an array.
impl Dialect for Postgres {
    fn bind(q: &mut QueryBuilder<'static, Self>, arg: Arg) {
        match arg {
            Arg::Bool(v) => q.push_bind(v),
            Arg::Int(v) => q.push_bind(v),
            Arg::Text(s) => q.push_bind(s),
        };
    }

    fn push_in(q: &mut QueryBuilder<'static, Self>, expr: &str, list: List<'_>) {
        q.push(expr).push(" = ANY(");
        bind_array(q, list);
        q.push(")");
    }

    fn push_table(q: &mut QueryBuilder<'static, Self>, list: List<'_>) {
        q.push("unnest(");
        bind_array(q, list);
        q.push(") AS list(value)");
    }
}

fn bind_array(q: &mut QueryBuilder<'static, Postgres>, list: List<'_>) {
    match list {
        List::Ints(v) => q.push_bind(v.to_vec()),
        List::Texts(v) => q.push_bind(v.to_vec()),
    };
}

/// A query being built, which writes the `WHERE … AND …` between its
/// conditions. Dereferences to the [`QueryBuilder`] to run it.
pub struct Sql<DB: Database> {
    q: QueryBuilder<'static, DB>,
    conditions: usize,
}

impl<DB: Dialect> Sql<DB> {
    pub fn new(sql: impl Into<String>) -> Self {
        Sql { q: QueryBuilder::new(sql), conditions: 0 }
    }

    /// Starts the next condition: ` WHERE ` the first time, ` AND ` after.
    pub fn and(&mut self) -> &mut Self {
        self.q.push(if self.conditions == 0 { " WHERE " } else { " AND " });
        self.conditions += 1;
        self
    }

    pub fn push(&mut self, sql: impl Display) -> &mut Self {
        self.q.push(sql);
        self
    }

    /// Binds a value where the text has reached.
    pub fn bind(&mut self, arg: impl Into<Arg>) -> &mut Self {
        DB::bind(&mut self.q, arg.into());
        self
    }

    /// ` LIMIT n`, written into the SQL rather than bound: PostgreSQL may
    /// then plan the statement once for all calls (a generic plan). With the
    /// limit a parameter, that plan assumes a tenth of the table, never wins
    /// against planning afresh, and every call of a list was planned again
    /// (0.3–0.9 ms each, more than running it). `n` is an integer, so it
    /// cannot carry SQL.
    pub fn limit(&mut self, n: i64) -> &mut Self {
        self.q.push(format_args!(" LIMIT {n}"));
        self
    }

    /// `expr` is one of `list`, bound as one value.
    pub fn push_in<'a>(&mut self, expr: &str, list: impl Into<List<'a>>) -> &mut Self {
        DB::push_in(&mut self.q, expr, list.into());
        self
    }

    /// `list` as a table of one column, `value`, bound as one value.
    pub fn push_table<'a>(&mut self, list: impl Into<List<'a>>) -> &mut Self {
        DB::push_table(&mut self.q, list.into());
        self
    }
}

impl<DB: Database> Deref for Sql<DB> {
    type Target = QueryBuilder<'static, DB>;

    fn deref(&self) -> &Self::Target {
        &self.q
    }
}

impl<DB: Database> DerefMut for Sql<DB> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.q
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern matching `needle` anywhere.
pub fn contains_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for ch in needle.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_join_with_and_and_bind_in_order() {
        let mut q = Sql::<Postgres>::new("SELECT 1 FROM t");
        q.and().push("a = ").bind(1);
        q.and().push("b BETWEEN ").bind(2).push(" AND ").bind(3);
        q.push(" LIMIT ").bind(50);
        assert_eq!(q.sql(), "SELECT 1 FROM t WHERE a = $1 AND b BETWEEN $2 AND $3 LIMIT $4");
    }

    #[test]
    fn a_list_is_one_placeholder_whatever_its_length() {
        let sql = |ids: &[i64]| {
            let (mut pg, mut lite) = (Sql::<Postgres>::new("SELECT 1 FROM t"), Sql::<Sqlite>::new("SELECT 1 FROM t"));
            pg.and().push_in("id", ids);
            lite.and().push_in("id", ids);
            (pg.sql().to_owned(), lite.sql().to_owned())
        };
        assert_eq!(sql(&[1]), sql(&[1, 2, 3]));
        let (pg, lite) = sql(&[]);
        assert_eq!(pg, "SELECT 1 FROM t WHERE id = ANY($1)");
        assert_eq!(lite, "SELECT 1 FROM t WHERE id IN (SELECT value FROM json_each(?))");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
