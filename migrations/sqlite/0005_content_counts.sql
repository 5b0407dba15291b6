-- Counts the inbox, the navigation badge, the dashboard and `/stats` read on
-- every request, kept exact by triggers in the writing transaction instead of
-- being recounted over 50,000 reports and 200,000 statuses each time.
-- account_id 0 holds the totals; state 'all' sums every state.

CREATE TABLE report_counts (
    account_id INTEGER NOT NULL,
    state      TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (account_id, state)
) WITHOUT ROWID;
-- Most-reported accounts first, per state.
CREATE INDEX report_counts_rank ON report_counts (state, n, account_id);

INSERT INTO report_counts (account_id, state, n)
    SELECT account_id, state, COUNT(*) FROM reports GROUP BY account_id, state
    UNION ALL SELECT account_id, 'all', COUNT(*) FROM reports GROUP BY account_id
    UNION ALL SELECT 0, state, COUNT(*) FROM reports GROUP BY state
    UNION ALL SELECT 0, 'all', COUNT(*) FROM reports WHERE 1;

CREATE TRIGGER report_counts_insert AFTER INSERT ON reports BEGIN
    INSERT INTO report_counts (account_id, state, n)
    VALUES (new.account_id, new.state, 1), (new.account_id, 'all', 1), (0, new.state, 1), (0, 'all', 1)
    ON CONFLICT (account_id, state) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER report_counts_delete AFTER DELETE ON reports BEGIN
    INSERT INTO report_counts (account_id, state, n)
    VALUES (old.account_id, old.state, -1), (old.account_id, 'all', -1), (0, old.state, -1), (0, 'all', -1)
    ON CONFLICT (account_id, state) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER report_counts_update AFTER UPDATE OF state, account_id ON reports BEGIN
    INSERT INTO report_counts (account_id, state, n)
    VALUES (old.account_id, old.state, -1), (old.account_id, 'all', -1), (0, old.state, -1), (0, 'all', -1)
    ON CONFLICT (account_id, state) DO UPDATE SET n = n + excluded.n;
    INSERT INTO report_counts (account_id, state, n)
    VALUES (new.account_id, new.state, 1), (new.account_id, 'all', 1), (0, new.state, 1), (0, 'all', 1)
    ON CONFLICT (account_id, state) DO UPDATE SET n = n + excluded.n;
END;

-- Live (not deleted) statuses per visibility.
CREATE TABLE status_counts (
    visibility TEXT    PRIMARY KEY,
    n          INTEGER NOT NULL
);
INSERT INTO status_counts (visibility, n)
    SELECT visibility, COUNT(*) FROM statuses WHERE deleted_at IS NULL GROUP BY visibility;

CREATE TRIGGER status_counts_insert AFTER INSERT ON statuses WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO status_counts (visibility, n) VALUES (new.visibility, 1)
    ON CONFLICT (visibility) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER status_counts_delete AFTER DELETE ON statuses WHEN old.deleted_at IS NULL BEGIN
    UPDATE status_counts SET n = n - 1 WHERE visibility = old.visibility;
END;
CREATE TRIGGER status_counts_update AFTER UPDATE OF visibility, deleted_at ON statuses BEGIN
    UPDATE status_counts SET n = n - 1 WHERE visibility = old.visibility AND old.deleted_at IS NULL;
    INSERT INTO status_counts (visibility, n) SELECT new.visibility, 1 WHERE new.deleted_at IS NULL
    ON CONFLICT (visibility) DO UPDATE SET n = n + 1;
END;
