-- 002: the canonical content of a run, which its hash covers (with the previous run's hash).
-- Each value is written out, NULLs as empty, timestamps in UTC to the microsecond, so that
-- walidata audit verify recomputes exactly what was hashed when the run was recorded.
CREATE FUNCTION etl.run_content(id bigint) RETURNS text
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
    FROM etl.run r LEFT JOIN etl.source_item s USING (run_id)
    WHERE r.run_id = id
$$;
COMMENT ON FUNCTION etl.run_content(bigint) IS 'The text a run''s hash covers: SHA-256 of this text is etl.run.hash';
