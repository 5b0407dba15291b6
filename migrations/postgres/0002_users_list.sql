-- The user list at a million rows: substring search through pg_trgm GIN
-- indexes, the email domain as an indexed column, and indexes that serve each
-- documented sort and the common filters without sorting.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE users ADD COLUMN email_domain TEXT
    GENERATED ALWAYS AS (lower(split_part(email, '@', 2))) STORED;
CREATE INDEX users_email_domain ON users (email_domain, created_at, id) WHERE email IS NOT NULL;
CREATE INDEX users_nickname_sort ON users (lower(nickname), id);
CREATE INDEX users_last_active ON users (coalesce(last_active_at, 0), id);
CREATE INDEX users_local_active_created ON users (created_at, id) WHERE local AND is_active;
CREATE INDEX users_pending_created ON users (created_at, id) WHERE NOT is_approved;
CREATE INDEX users_unconfirmed_created ON users (created_at, id) WHERE NOT is_confirmed;
CREATE INDEX users_deactivated_created ON users (created_at, id) WHERE NOT is_active;

-- One expression over the three searchable fields, matched with ILIKE.
CREATE INDEX users_search_trgm ON users USING gin (
    (lower(nickname || ' ' || coalesce(email, '') || ' ' || display_name)) gin_trgm_ops
);
