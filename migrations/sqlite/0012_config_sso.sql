-- Configuration and single sign-on (SPEC §9, §11). The runtime config lives
-- in the settings store (settings / settings_versions, key "runtime"); these
-- tables are single sign-on's.

-- ── OIDC sign-in ────────────────────────────────────────────────────────────
-- Which provider account an account signs in with: (issuer, subject) is the
-- stable identity an ID token names; the email may change at the provider.
CREATE TABLE sso_identities (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issuer        TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    email         TEXT,
    created_at    INTEGER    NOT NULL,
    last_login_at INTEGER,
    UNIQUE (issuer, subject)
);
CREATE INDEX sso_identities_user ON sso_identities (user_id);

-- A sign-in in flight, between the redirect to the provider and its return:
-- the state names it; the nonce and PKCE verifier never leave the server.
-- Single use (deleted when the callback takes it) and short-lived.
CREATE TABLE sso_logins (
    state         TEXT    PRIMARY KEY,
    nonce         TEXT    NOT NULL,
    pkce_verifier TEXT    NOT NULL,
    return_to     TEXT    NOT NULL,
    created_at    INTEGER    NOT NULL
);
CREATE INDEX sso_logins_created ON sso_logins (created_at);
