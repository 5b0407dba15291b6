//! A minimal builder for queries whose WHERE clause depends on the filters
//! given. Placeholders are `$N`, which both backends accept.

/// A bind value of a dynamically built query.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
}

/// Accumulates `AND`ed conditions and their arguments.
#[derive(Debug, Default)]
pub struct Filter {
    conds: Vec<String>,
    pub args: Vec<Arg>,
}

impl Filter {
    /// Adds a condition; each `?` in `cond` becomes the next `$N`, bound to `args` in order.
    pub fn and(&mut self, cond: &str, args: impl IntoIterator<Item = Arg>) -> &mut Self {
        let mut out = String::with_capacity(cond.len() + 4);
        for ch in cond.chars() {
            if ch == '?' {
                out.push_str(&format!("${}", self.args.len() + 1 + out.matches('$').count()));
            } else {
                out.push(ch);
            }
        }
        self.conds.push(out);
        self.args.extend(args);
        self
    }

    /// The next placeholder, for clauses outside the WHERE (e.g. LIMIT).
    pub fn push(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// The WHERE clause so far, starting a new one whose placeholders
    /// continue the numbering (for a query with two WHERE clauses).
    pub fn take_where(&mut self) -> String {
        let clause = self.where_clause();
        self.conds.clear();
        clause
    }

    pub fn where_clause(&self) -> String {
        if self.conds.is_empty() { String::new() } else { format!("WHERE {}", self.conds.join(" AND ")) }
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

/// Binds every [`Arg`] of a filter to a query, on whichever backend it is.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                $crate::server::storage::sql::Arg::Int(v) => q.bind(*v),
                $crate::server::storage::sql::Arg::Text(s) => q.bind(s.as_str()),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_across_conditions() {
        let mut f = Filter::default();
        f.and("a = ?", [Arg::Int(1)]).and("b BETWEEN ? AND ?", [Arg::Int(2), Arg::Int(3)]);
        assert_eq!(f.where_clause(), "WHERE a = $1 AND b BETWEEN $2 AND $3");
        assert_eq!(f.push(Arg::Int(50)), "$4");
        assert_eq!(f.take_where(), "WHERE a = $1 AND b BETWEEN $2 AND $3");
        f.and("c = ?", [Arg::Int(4)]);
        assert_eq!(f.where_clause(), "WHERE c = $5");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
