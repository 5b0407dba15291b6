-- The grouped inbox: one row per reported status and report state (plus
-- 'all'), holding how many reports name the status and the newest of them.
-- A page of groups is then one index range on (state, latest_id) instead of a
-- walk over every report. Linking a report bumps its status's rows; a state
-- change or an unlink (cascaded deletes included) recomputes the touched
-- statuses' rows from `report_groups_live`, so every write path stays exact.

CREATE TABLE report_groups (
    status_id INTEGER NOT NULL,
    state     TEXT    NOT NULL,
    n         INTEGER NOT NULL,
    latest_id INTEGER NOT NULL,
    PRIMARY KEY (status_id, state)
) WITHOUT ROWID;
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

CREATE TRIGGER report_groups_link AFTER INSERT ON report_statuses BEGIN
    INSERT INTO report_groups (status_id, state, n, latest_id)
        SELECT new.status_id, s, 1, new.report_id
        FROM (SELECT state AS s FROM reports WHERE id = new.report_id UNION ALL SELECT 'all') WHERE true
    ON CONFLICT (status_id, state) DO UPDATE SET n = n + 1, latest_id = MAX(latest_id, excluded.latest_id);
END;
CREATE TRIGGER report_groups_unlink AFTER DELETE ON report_statuses BEGIN
    DELETE FROM report_groups WHERE status_id = old.status_id;
    INSERT INTO report_groups (status_id, state, n, latest_id)
        SELECT status_id, state, n, latest_id FROM report_groups_live WHERE status_id = old.status_id;
END;
-- Spelled out rather than read from the view: SQLite pushes an `IN (SELECT …)`
-- filter into the view's grouped arms only when it is written inside them.
CREATE TRIGGER report_groups_state AFTER UPDATE OF state ON reports WHEN old.state <> new.state BEGIN
    DELETE FROM report_groups WHERE status_id IN (SELECT status_id FROM report_statuses WHERE report_id = new.id);
    INSERT INTO report_groups (status_id, state, n, latest_id)
        SELECT rs.status_id, r.state, COUNT(*), MAX(r.id)
        FROM report_statuses rs JOIN reports r ON r.id = rs.report_id
        WHERE rs.status_id IN (SELECT status_id FROM report_statuses WHERE report_id = new.id)
        GROUP BY rs.status_id, r.state
        UNION ALL
        SELECT rs.status_id, 'all', COUNT(*), MAX(r.id)
        FROM report_statuses rs JOIN reports r ON r.id = rs.report_id
        WHERE rs.status_id IN (SELECT status_id FROM report_statuses WHERE report_id = new.id)
        GROUP BY rs.status_id;
END;
