-- Sessions carry the epoch their user had at sign-in; bumping it ends every
-- session of that user (password change, admin reset, forced reset).
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
