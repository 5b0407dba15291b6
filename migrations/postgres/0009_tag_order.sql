-- Tags keep the order they were added in, as Pleroma lists them (its
-- `PUT /users/tag` appends). Rows from before this migration sort by name.
ALTER TABLE user_tags ADD COLUMN added BIGINT NOT NULL DEFAULT 0;
