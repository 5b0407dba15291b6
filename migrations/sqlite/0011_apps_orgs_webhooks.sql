-- Apps, organizations and webhooks (SPEC §9–§11). Each section belongs to one
-- feature folder; add to a section rather than between them.

-- ── OAuth apps (Pleroma's admin oauth_app) ──────────────────────────────────
-- A trusted app skips the consent page and its client credentials may call
-- the intake API (client_credentials grant).
ALTER TABLE oauth_apps ADD COLUMN trusted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE oauth_apps ADD COLUMN updated_at INTEGER;
CREATE INDEX oauth_apps_name ON oauth_apps (name, id);
-- Who marked it trusted: the owner of the intake tokens its client_credentials
-- grant issues (they stop working when that admin is deactivated or removed).
ALTER TABLE oauth_apps ADD COLUMN trusted_by INTEGER REFERENCES users (id) ON DELETE SET NULL;

-- ── Organizations (Clerk organizations, Flashback settings document) ───────
CREATE TABLE organizations (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL,
    -- Lower-case, URL-safe, unique: what links and tokens show.
    slug             TEXT    NOT NULL UNIQUE,
    -- Flashback's free-form settings document (a JSON object), replaced whole.
    settings         TEXT    NOT NULL DEFAULT '{}',
    settings_version INTEGER NOT NULL DEFAULT 0,
    created_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE TABLE organization_members (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Clerk's role keys: org:admin, org:member.
    role            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user ON organization_members (user_id);

CREATE TABLE organization_domains (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain          TEXT    NOT NULL UNIQUE,
    enrollment_mode TEXT    NOT NULL
        CHECK (enrollment_mode IN ('manual_invitation', 'automatic_invitation', 'automatic_suggestion')),
    verified_at     INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX organization_domains_org ON organization_domains (organization_id, id);

-- Every replacement of an organization's settings document, for the diff view.
CREATE TABLE organization_settings_versions (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    before          TEXT    NOT NULL,
    after           TEXT    NOT NULL,
    actor_id        INTEGER,
    actor_nickname  TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (organization_id, version)
);

-- A token bound to an organization (scope 'organization') may replace that
-- organization's settings document and nothing else.
ALTER TABLE api_tokens ADD COLUMN organization_id INTEGER REFERENCES organizations (id) ON DELETE CASCADE;

-- ── Apps' registration policy (rw3iss UpdateAppRequest) ────────────────────
CREATE TABLE apps (
    id                      INTEGER PRIMARY KEY,
    name                    TEXT    NOT NULL,
    description             TEXT    NOT NULL DEFAULT '',
    status                  TEXT    NOT NULL DEFAULT 'active',
    -- Lists are JSON arrays of strings.
    allowed_redirect_urls   TEXT    NOT NULL DEFAULT '[]',
    service_codes           TEXT    NOT NULL DEFAULT '[]',
    auto_grant_on_signup    BOOLEAN NOT NULL DEFAULT FALSE,
    -- NULL: emails point at the instance's public URL.
    frontend_url            TEXT,
    allowed_email_domains   TEXT    NOT NULL DEFAULT '[]',
    allowed_auth_methods    TEXT    NOT NULL DEFAULT '[]',
    -- NULL: sign-ups through the app join no organization.
    default_organization_id INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
    registration_namespace  TEXT,
    registration_namespaces TEXT    NOT NULL DEFAULT '[]',
    read_namespaces         TEXT    NOT NULL DEFAULT '[]',
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
);

-- ── Webhooks: endpoints, the durable delivery queue, and every attempt ─────
-- kind: registration_alerts and system_alerts (one each; the URL comes from
-- the instance config) or app (an app's `webhooks` list).
CREATE TABLE webhook_endpoints (
    id                     INTEGER PRIMARY KEY,
    kind                   TEXT    NOT NULL CHECK (kind IN ('registration_alerts', 'system_alerts', 'app')),
    app_id                 INTEGER REFERENCES apps (id) ON DELETE CASCADE,
    url                    TEXT    NOT NULL,
    -- JSON array of event names; [] means every event of its source.
    events                 TEXT    NOT NULL DEFAULT '[]',
    enabled                BOOLEAN NOT NULL DEFAULT TRUE,
    -- Signing keys are needed in clear to sign; they are never returned.
    secret                 TEXT    NOT NULL,
    -- During a rotation the old key also signs until previous_secret_until.
    previous_secret        TEXT,
    previous_secret_until  INTEGER,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE UNIQUE INDEX webhook_endpoints_alert_kind ON webhook_endpoints (kind) WHERE kind <> 'app';
CREATE INDEX webhook_endpoints_app ON webhook_endpoints (app_id, id);

CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    -- Kept when the endpoint is removed so its deliveries stay in the log.
    endpoint_id      INTEGER REFERENCES webhook_endpoints (id) ON DELETE SET NULL,
    url              TEXT    NOT NULL,
    event            TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    -- queued, delivered or failed (gave up).
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    locked_until     INTEGER,
    last_status_code INTEGER,
    last_latency_ms  INTEGER,
    last_response    TEXT,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    status_code  INTEGER,
    latency_ms   INTEGER NOT NULL,
    -- The first 1 KB of the response body, as text.
    response     TEXT,
    error        TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
