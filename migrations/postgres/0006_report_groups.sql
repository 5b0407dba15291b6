-- The grouped inbox: one row per reported status and report state (plus
-- 'all'), holding how many reports name the status and the newest of them.
-- A page of groups is then one index range on (state, latest_id) instead of a
-- walk over every report. Linking a report bumps its status's rows; a state
-- change or an unlink (cascaded deletes included) recomputes the touched
-- statuses' rows from `report_groups_live`, so every write path stays exact.

CREATE TABLE report_groups (
    status_id BIGINT NOT NULL,
    state     TEXT   NOT NULL,
    n         BIGINT NOT NULL,
    latest_id BIGINT NOT NULL,
    PRIMARY KEY (status_id, state)
);
CREATE INDEX report_groups_recent ON report_groups (state, latest_id, status_id);

-- What report_groups holds, computed from the reports themselves.
CREATE VIEW report_groups_live AS
    SELECT rs.status_id, r.state, COUNT(*) AS n, MAX(r.id) AS latest_id
    FROM report_statuses rs JOIN reports r ON r.id = rs.report_id GROUP BY rs.status_id, r.state
    UNION ALL
    SELECT rs.status_id, 'all', COUNT(*), MAX(r.id)
    FROM report_statuses rs JOIN reports r ON r.id = rs.report_id GROUP BY rs.status_id;

INSERT INTO report_groups (status_id, state, n, latest_id)
    SELECT status_id, state, n, latest_id FROM report_groups_live;

CREATE FUNCTION report_groups_refresh(ids BIGINT[]) RETURNS void AS $$
    DELETE FROM report_groups WHERE status_id = ANY(ids);
    INSERT INTO report_groups (status_id, state, n, latest_id)
        SELECT status_id, state, n, latest_id FROM report_groups_live WHERE status_id = ANY(ids);
$$ LANGUAGE sql;

CREATE FUNCTION report_groups_link() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO report_groups (status_id, state, n, latest_id)
            SELECT NEW.status_id, s, 1, NEW.report_id
            FROM (SELECT state FROM reports WHERE id = NEW.report_id UNION ALL SELECT 'all') t (s)
        ON CONFLICT (status_id, state) DO UPDATE
            SET n = report_groups.n + 1, latest_id = GREATEST(report_groups.latest_id, EXCLUDED.latest_id);
    ELSE
        PERFORM report_groups_refresh(ARRAY[OLD.status_id]);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER report_groups_link AFTER INSERT OR DELETE ON report_statuses
    FOR EACH ROW EXECUTE FUNCTION report_groups_link();

CREATE FUNCTION report_groups_state() RETURNS trigger AS $$
BEGIN
    PERFORM report_groups_refresh(ARRAY(SELECT status_id FROM report_statuses WHERE report_id = NEW.id));
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER report_groups_state AFTER UPDATE OF state ON reports
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION report_groups_state();
