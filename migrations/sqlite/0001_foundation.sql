-- Foundation schema (SQLite). Timestamps are unix seconds (INTEGER) on both
-- backends so queries and keyset cursors are shared between them.

CREATE TABLE users (
    id                     INTEGER PRIMARY KEY,
    nickname               TEXT    NOT NULL,
    email                  TEXT,
    display_name           TEXT    NOT NULL DEFAULT '',
    bio                    TEXT    NOT NULL DEFAULT '',
    avatar                 TEXT    NOT NULL DEFAULT '',
    actor_type             TEXT    NOT NULL DEFAULT 'Person',
    registration_reason    TEXT,
    password_hash          TEXT,
    is_admin               BOOLEAN NOT NULL DEFAULT FALSE,
    is_moderator           BOOLEAN NOT NULL DEFAULT FALSE,
    local                  BOOLEAN NOT NULL DEFAULT TRUE,
    is_active              BOOLEAN NOT NULL DEFAULT TRUE,
    is_approved            BOOLEAN NOT NULL DEFAULT TRUE,
    is_confirmed           BOOLEAN NOT NULL DEFAULT TRUE,
    locked                 BOOLEAN NOT NULL DEFAULT FALSE,
    discoverable           BOOLEAN NOT NULL DEFAULT TRUE,
    password_reset_pending BOOLEAN NOT NULL DEFAULT FALSE,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    last_active_at         INTEGER
);
CREATE UNIQUE INDEX users_nickname_key ON users (lower(nickname));
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_staff ON users (id) WHERE is_admin OR is_moderator;

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE user_tags (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag_id  INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX user_tags_tag ON user_tags (tag_id, user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label        TEXT    NOT NULL,
    scope        TEXT    NOT NULL DEFAULT 'admin',
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

-- Append-only: the application never updates or deletes rows here.
CREATE TABLE moderation_log (
    id             INTEGER PRIMARY KEY,
    actor_id       INTEGER,
    actor_nickname TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    subject_type   TEXT,
    subject_ids    TEXT    NOT NULL DEFAULT '[]',
    data           TEXT    NOT NULL DEFAULT '{}',
    message        TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX moderation_log_created ON moderation_log (created_at, id);
CREATE INDEX moderation_log_actor ON moderation_log (actor_id, id);
CREATE INDEX moderation_log_action ON moderation_log (action, id);
CREATE TRIGGER moderation_log_no_update BEFORE UPDATE ON moderation_log
BEGIN SELECT RAISE(ABORT, 'moderation_log is append-only'); END;
CREATE TRIGGER moderation_log_no_delete BEFORE DELETE ON moderation_log
BEGIN SELECT RAISE(ABORT, 'moderation_log is append-only'); END;

-- Links moderation-log entries to every user they concern, for "log entries
-- about this user" and the API's user_id filter.
CREATE TABLE moderation_log_subjects (
    entry_id INTEGER NOT NULL REFERENCES moderation_log (id),
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (user_id, entry_id)
) WITHOUT ROWID;

-- Failed sign-ins, keyed "ip:…" or "account:…", for throttling shared by
-- every process on the same database.
CREATE TABLE login_failures (
    key TEXT    NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

-- Small instance-wide values, e.g. the hash of the one-time setup token.
CREATE TABLE instance_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
