-- The user list at a million rows: substring search through an FTS5 trigram
-- index, the email domain as an indexed column, and indexes that serve each
-- documented sort and the common filters without sorting.

ALTER TABLE users ADD COLUMN email_domain TEXT
    GENERATED ALWAYS AS (lower(substr(email, instr(email, '@') + 1))) VIRTUAL;
CREATE INDEX users_email_domain ON users (email_domain, id) WHERE email IS NOT NULL;
CREATE INDEX users_nickname_sort ON users (lower(nickname), id);
CREATE INDEX users_last_active ON users (coalesce(last_active_at, 0), id);
-- Newest first is id order (ids follow creation). Partial indexes in that
-- order serve the common filters without sorting (PERFORMANCE.md's trap).
CREATE INDEX users_local_active ON users (id) WHERE local AND is_active;
CREATE INDEX users_pending ON users (id) WHERE NOT is_approved;
CREATE INDEX users_unconfirmed ON users (id) WHERE NOT is_confirmed;
CREATE INDEX users_deactivated ON users (id) WHERE NOT is_active;
CREATE INDEX users_admins ON users (id) WHERE is_admin;
CREATE INDEX users_moderators ON users (id) WHERE is_moderator;

-- Substring search over nickname, email and display name. External content:
-- the text lives only in users; triggers keep the index in step.
CREATE VIRTUAL TABLE users_search USING fts5(
    nickname, email, display_name,
    content = 'users', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO users_search (users_search) VALUES ('rebuild');
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, nickname, email, display_name)
    VALUES (new.id, new.nickname, new.email, new.display_name);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, nickname, email, display_name)
    VALUES ('delete', old.id, old.nickname, old.email, old.display_name);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF nickname, email, display_name ON users BEGIN
    INSERT INTO users_search (users_search, rowid, nickname, email, display_name)
    VALUES ('delete', old.id, old.nickname, old.email, old.display_name);
    INSERT INTO users_search (rowid, nickname, email, display_name)
    VALUES (new.id, new.nickname, new.email, new.display_name);
END;
