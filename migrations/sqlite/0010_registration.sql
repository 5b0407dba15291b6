-- Registration policy: the versioned settings store, invites, allow/block
-- lists, email confirmation links and the mail outbox.

-- One row per settings document (JSON), with the version edits compare
-- against; every change also appends to settings_versions.
CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE settings_versions (
    id             INTEGER PRIMARY KEY,
    key            TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    -- NULL for the first stored version (the defaults were in force before).
    before         TEXT,
    after          TEXT    NOT NULL,
    actor_id       INTEGER,
    actor_nickname TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (key, version)
);

-- Pleroma's invite tokens. The token is kept as issued: Pleroma's API lists
-- it and admin-fe shows it so staff can share the link again.
CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    token      TEXT    NOT NULL UNIQUE,
    max_use    INTEGER,
    uses       INTEGER NOT NULL DEFAULT 0,
    -- A calendar date (YYYY-MM-DD, UTC): the invite works through that day.
    expires_at TEXT,
    used       BOOLEAN NOT NULL DEFAULT FALSE,
    -- Set for invites sent by email.
    email      TEXT,
    name       TEXT,
    created_by INTEGER,
    created_at INTEGER NOT NULL
);

ALTER TABLE users ADD COLUMN invite_id INTEGER REFERENCES invites (id) ON DELETE SET NULL;
-- The address as the gmail rule compares it: lower case, and for Gmail the
-- dots of the local part dropped (src/domain/email.rs computes the same).
ALTER TABLE users ADD COLUMN email_canonical TEXT GENERATED ALWAYS AS (
    CASE WHEN lower(substr(email, instr(email, '@') + 1)) IN ('gmail.com', 'googlemail.com')
         THEN replace(lower(substr(email, 1, instr(email, '@') - 1)), '.', '') || '@gmail.com'
         ELSE lower(email) END
) VIRTUAL;
CREATE INDEX users_email_canonical ON users (email_canonical) WHERE email IS NOT NULL;
-- The approval queue: accounts waiting for a moderator, oldest first.
CREATE INDEX users_pending_queue ON users (created_at, id) WHERE NOT is_approved;

-- Clerk's allowlist and blocklist identifiers: an email address or a domain.
CREATE TABLE restriction_identifiers (
    id              INTEGER PRIMARY KEY,
    list            TEXT    NOT NULL CHECK (list IN ('allowlist', 'blocklist')),
    identifier      TEXT    NOT NULL,
    identifier_type TEXT    NOT NULL CHECK (identifier_type IN ('email_address', 'domain')),
    created_by      INTEGER,
    created_at      INTEGER NOT NULL,
    UNIQUE (list, identifier)
);

-- One-time email confirmation links: only the token's SHA-256 is stored.
CREATE TABLE email_confirmations (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX email_confirmations_user ON email_confirmations (user_id, id);

-- Mail waiting to go out, and what happened to it. A worker claims due rows
-- (locked_until), sends them over SMTP and retries failures with backoff.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    -- queued, sent, failed (gave up) or held (test mode: never sent).
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until    INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX outbox_created ON outbox (created_at, id);
