-- SQLite keeps its planner statistics in sqlite_stat1, created by the first
-- ANALYZE. Creating it now (analyzing only the schema table, instantly) lets
-- the user list read its table-size estimate from it in one query, without
-- first asking whether it exists. PostgreSQL's pg_class always exists.
ANALYZE sqlite_schema;
