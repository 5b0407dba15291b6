-- The user list at a million rows: substring search through pg_trgm GIN
-- indexes, the email domain as an indexed column, and indexes that serve each
-- documented sort and the common filters without sorting.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE users ADD COLUMN email_domain TEXT
    GENERATED ALWAYS AS (lower(split_part(email, '@', 2))) STORED;
CREATE INDEX users_email_domain ON users (email_domain, id) WHERE email IS NOT NULL;
CREATE INDEX users_nickname_sort ON users (lower(nickname), id);
CREATE INDEX users_last_active ON users (coalesce(last_active_at, 0), id);
CREATE INDEX users_local_active ON users (id) WHERE local AND is_active;
CREATE INDEX users_pending ON users (id) WHERE NOT is_approved;
CREATE INDEX users_unconfirmed ON users (id) WHERE NOT is_confirmed;
CREATE INDEX users_deactivated ON users (id) WHERE NOT is_active;
CREATE INDEX users_admins ON users (id) WHERE is_admin;
CREATE INDEX users_moderators ON users (id) WHERE is_moderator;

-- One expression over the three searchable fields, matched with ILIKE.
CREATE INDEX users_search_trgm ON users USING gin (
    (lower(nickname || ' ' || coalesce(email, '') || ' ' || display_name)) gin_trgm_ops
);
