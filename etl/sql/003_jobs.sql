-- 003: jobs, which the daemons share through the warehouse, and the runs they start.
CREATE TABLE etl.job (
    name           text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
    dataset        text NOT NULL,
    source         text NOT NULL,
    schedule       text NOT NULL,
    timezone       text NOT NULL DEFAULT 'Asia/Jakarta',
    paused         boolean NOT NULL DEFAULT false,
    run_requested  timestamptz,
    state          jsonb NOT NULL DEFAULT '{}',
    failures       integer NOT NULL DEFAULT 0,
    retry_at       timestamptz,
    last_fired_at  timestamptz,
    last_run_id    bigint REFERENCES etl.run,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE etl.job IS 'What the walidata daemons do: load a dataset from a source (a drop folder, a file, a unit''s database) on a schedule (cron, @daily..., or @watch for drop folders)';

ALTER TABLE etl.run ADD COLUMN job text;
CREATE INDEX run_job ON etl.run (job, run_id);

-- every change to a job wakes the daemons (LISTEN walidata_jobs)
CREATE FUNCTION etl.job_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('walidata_jobs', coalesce(NEW.name, OLD.name));
    RETURN NULL;
END
$$;
CREATE TRIGGER job_changed AFTER INSERT OR UPDATE OR DELETE ON etl.job
    FOR EACH ROW EXECUTE FUNCTION etl.job_changed();

GRANT SELECT, INSERT, UPDATE, DELETE ON etl.job TO walidata_loader;

-- a run's content now includes the job that started it; runs without a job hash as before
CREATE OR REPLACE FUNCTION etl.run_content(id bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT concat_ws('|',
        r.run_id, coalesce(r.chain_seq::text, ''), r.dataset, r.definition_version,
        r.source_name, r.state, r.forced, r.arrived_on,
        to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ''),
        coalesce(r.rows_read::text, ''), coalesce(r.rows_valid::text, ''),
        coalesce(r.rows_rejected::text, ''), coalesce(r.rows_published::text, ''),
        coalesce(r.rows_replaced::text, ''), coalesce(r.quality_score::text, ''),
        coalesce(r.reason, ''), coalesce(r.duplicate_of::text, ''), r.walidata_version,
        coalesce(s.name, ''), coalesce(s.size::text, ''), coalesce(encode(s.sha256, 'hex'), ''),
        coalesce(s.published::text, ''), coalesce(encode(r.prev_hash, 'hex'), ''))
        || CASE WHEN r.job IS NULL THEN '' ELSE '|job=' || r.job END
    FROM etl.run r LEFT JOIN etl.source_item s USING (run_id)
    WHERE r.run_id = id
$$;
