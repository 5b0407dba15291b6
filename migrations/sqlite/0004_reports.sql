-- Content moderation: statuses (fed in through intake or `steward seed`),
-- their media, reports against accounts and statuses, and moderators' notes.
-- Deleting a status only marks it: reports keep showing what was reported.

CREATE TABLE statuses (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The community software's id for it, so intake can be retried safely.
    uri          TEXT,
    content      TEXT    NOT NULL DEFAULT '',
    spoiler_text TEXT    NOT NULL DEFAULT '',
    visibility   TEXT    NOT NULL DEFAULT 'public'
                 CHECK (visibility IN ('public', 'unlisted', 'private', 'direct')),
    sensitive    BOOLEAN NOT NULL DEFAULT FALSE,
    local        BOOLEAN NOT NULL DEFAULT TRUE,
    reblog_of_id INTEGER REFERENCES statuses (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    deleted_at   INTEGER
);
CREATE UNIQUE INDEX statuses_uri ON statuses (uri) WHERE uri IS NOT NULL;
CREATE INDEX statuses_account ON statuses (account_id, id);
CREATE INDEX statuses_created ON statuses (created_at);

CREATE TABLE status_media (
    id          INTEGER PRIMARY KEY,
    status_id   INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('image', 'gifv', 'video', 'audio', 'unknown')),
    url         TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX status_media_status ON status_media (status_id, id);

CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    -- Who reported (null once that account is deleted).
    reporter_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    account_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    comment     TEXT    NOT NULL DEFAULT '',
    state       TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved', 'closed')),
    assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    uri         TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX reports_uri ON reports (uri) WHERE uri IS NOT NULL;
-- The inbox (state, newest first), most-reported accounts, per-account history.
CREATE INDEX reports_state ON reports (state, id);
CREATE INDEX reports_account ON reports (account_id, state, id);
CREATE INDEX reports_state_account ON reports (state, account_id);
CREATE INDEX reports_created ON reports (created_at);

CREATE TABLE report_statuses (
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    status_id INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (report_id, status_id)
) WITHOUT ROWID;
CREATE INDEX report_statuses_status ON report_statuses (status_id, report_id);

CREATE TABLE report_notes (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    author_id       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    author_nickname TEXT    NOT NULL,
    content         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX report_notes_report ON report_notes (report_id, id);
