-- Counts the inbox, the navigation badge, the dashboard and `/stats` read on
-- every request, kept exact by triggers in the writing transaction instead of
-- being recounted over 50,000 reports and 200,000 statuses each time.
-- account_id 0 holds the totals; state 'all' sums every state.

CREATE TABLE report_counts (
    account_id BIGINT NOT NULL,
    state      TEXT   NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (account_id, state)
);
CREATE INDEX report_counts_rank ON report_counts (state, n, account_id);

INSERT INTO report_counts (account_id, state, n)
    SELECT account_id, state, COUNT(*) FROM reports GROUP BY account_id, state
    UNION ALL SELECT account_id, 'all', COUNT(*) FROM reports GROUP BY account_id
    UNION ALL SELECT 0, state, COUNT(*) FROM reports GROUP BY state
    UNION ALL SELECT 0, 'all', COUNT(*) FROM reports;

CREATE FUNCTION report_counts_bump(acc BIGINT, st TEXT, d BIGINT) RETURNS void AS $$
    INSERT INTO report_counts (account_id, state, n)
    VALUES (acc, st, d), (acc, 'all', d), (0, st, d), (0, 'all', d)
    ON CONFLICT (account_id, state) DO UPDATE SET n = report_counts.n + EXCLUDED.n;
$$ LANGUAGE sql;

CREATE FUNCTION report_counts_track() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM report_counts_bump(OLD.account_id, OLD.state, -1); END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM report_counts_bump(NEW.account_id, NEW.state, 1); END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER report_counts_track AFTER INSERT OR DELETE OR UPDATE OF state, account_id ON reports
    FOR EACH ROW EXECUTE FUNCTION report_counts_track();

-- Live (not deleted) statuses per visibility.
CREATE TABLE status_counts (
    visibility TEXT   PRIMARY KEY,
    n          BIGINT NOT NULL
);
INSERT INTO status_counts (visibility, n)
    SELECT visibility, COUNT(*) FROM statuses WHERE deleted_at IS NULL GROUP BY visibility;

CREATE FUNCTION status_counts_track() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        UPDATE status_counts SET n = n - 1 WHERE visibility = OLD.visibility;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.deleted_at IS NULL THEN
        INSERT INTO status_counts (visibility, n) VALUES (NEW.visibility, 1)
        ON CONFLICT (visibility) DO UPDATE SET n = status_counts.n + 1;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER status_counts_track AFTER INSERT OR DELETE OR UPDATE OF visibility, deleted_at ON statuses
    FOR EACH ROW EXECUTE FUNCTION status_counts_track();
