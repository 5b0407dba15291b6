-- OAuth clients (Mastodon's POST /api/v1/apps) and their authorization
-- codes. Tokens they obtain are ordinary API tokens that also carry the
-- client, the OAuth scopes granted and a refresh token (all stored hashed).
CREATE TABLE oauth_apps (
    id            INTEGER PRIMARY KEY,
    client_id     TEXT    NOT NULL UNIQUE,
    secret_hash   TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    -- One per line, compared exactly.
    redirect_uris TEXT    NOT NULL,
    -- Space-separated, as OAuth writes them.
    scopes        TEXT    NOT NULL,
    website       TEXT,
    created_at    INTEGER NOT NULL
);

CREATE TABLE oauth_codes (
    code_hash        TEXT    PRIMARY KEY,
    app_id           INTEGER NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri     TEXT    NOT NULL,
    scopes           TEXT    NOT NULL,
    -- PKCE (RFC 7636): S256 or plain.
    challenge        TEXT,
    challenge_method TEXT,
    expires_at       INTEGER NOT NULL,
    used_at          INTEGER
);

ALTER TABLE api_tokens ADD COLUMN app_id INTEGER REFERENCES oauth_apps (id) ON DELETE CASCADE;
-- NULL for tokens made in the console or CLI (everything their role allows).
ALTER TABLE api_tokens ADD COLUMN oauth_scopes TEXT;
ALTER TABLE api_tokens ADD COLUMN refresh_hash TEXT;
CREATE UNIQUE INDEX api_tokens_refresh ON api_tokens (refresh_hash) WHERE refresh_hash IS NOT NULL;
