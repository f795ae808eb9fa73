-- 001: the warehouse's schemas, roles, and the tables of runs, lineage, quality and rejects.
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS walidata;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'walidata_loader') THEN
        CREATE ROLE walidata_loader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'walidata_analyst') THEN
        CREATE ROLE walidata_analyst NOLOGIN;
    END IF;
END
$$;

COMMENT ON SCHEMA walidata IS 'Satu Data Ketenagakerjaan: one table per dataset, each row with the run that loaded it (_run_id); views v_<dataset> for analysts';
COMMENT ON SCHEMA etl IS 'walidata runs: source items, lineage, quality, rejected rows, schema version';
COMMENT ON SCHEMA ref IS 'Reference code lists (kode referensi), every version, and crosswalks';
COMMENT ON SCHEMA meta IS 'Satu Data metadata of every dataset and variable';

CREATE TABLE etl.run (
    run_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset           text NOT NULL,
    definition_version text NOT NULL,
    source_name       text NOT NULL,
    state             text NOT NULL DEFAULT 'running'
                      CHECK (state IN ('running', 'published', 'refused', 'duplicate', 'failed')),
    forced            boolean NOT NULL DEFAULT false,
    arrived_on        date NOT NULL,
    started_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at       timestamptz,
    rows_read         bigint,
    rows_valid        bigint,
    rows_rejected     bigint,
    rows_published    bigint,
    rows_replaced     bigint,
    quality_score     numeric(4, 1),
    reason            text,
    duplicate_of      bigint REFERENCES etl.run,
    walidata_version  text NOT NULL,
    chain_seq         bigint UNIQUE,
    prev_hash         bytea,
    hash              bytea
);
COMMENT ON TABLE etl.run IS 'One run: a source item checked and published (or refused, or found a duplicate), in one transaction. hash = SHA-256 of the run''s content and prev_hash: a hash chain that walidata audit verify checks';

CREATE TABLE etl.source_item (
    run_id     bigint PRIMARY KEY REFERENCES etl.run,
    dataset    text NOT NULL,
    name       text NOT NULL,
    size       bigint NOT NULL,
    sha256     bytea NOT NULL,
    published  boolean NOT NULL
);
CREATE INDEX source_item_content ON etl.source_item (dataset, sha256) WHERE published;
COMMENT ON TABLE etl.source_item IS 'The file or query result a run read: name, size and SHA-256 of its content; published tells whether its rows reached the dataset';

CREATE TABLE etl.lineage (
    run_id        bigint PRIMARY KEY REFERENCES etl.run,
    source_uri    text NOT NULL,
    target_table  text NOT NULL,
    mode          text NOT NULL,
    definition    jsonb NOT NULL,
    codelists     text[] NOT NULL
);
COMMENT ON TABLE etl.lineage IS 'Where a run''s rows came from and went: the source, the target table, the publish mode, the definition and the code-list versions used';

CREATE TABLE etl.quality (
    run_id       bigint NOT NULL REFERENCES etl.run,
    dimension    text NOT NULL
                 CHECK (dimension IN ('completeness', 'validity', 'uniqueness', 'consistency',
                                      'timeliness', 'score')),
    score        numeric(4, 1) NOT NULL,
    numerator    bigint,
    denominator  bigint,
    PRIMARY KEY (run_id, dimension)
);
COMMENT ON TABLE etl.quality IS 'The quality of each run on Satu Data''s five dimensions (0-100) and their mean, the score';

CREATE TABLE etl.reject (
    run_id      bigint NOT NULL REFERENCES etl.run,
    row_number  bigint NOT NULL,
    line        bigint NOT NULL,
    field       text,
    rule        text NOT NULL,
    value       text,
    message     text NOT NULL,
    rejects     boolean NOT NULL DEFAULT true
);
CREATE INDEX reject_run ON etl.reject (run_id, row_number);
COMMENT ON TABLE etl.reject IS 'Every failure of a run''s rows: row (data records from 1), physical line, field, rule, value as read, and why; rejects is false for notes that kept the row';

CREATE TABLE ref.codelist (
    name        text NOT NULL,
    version     text NOT NULL,
    title       text NOT NULL,
    authority   text NOT NULL,
    reference   text NOT NULL,
    valid_from  date NOT NULL,
    codes       integer NOT NULL,
    content_sha256 bytea NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version)
);
CREATE TABLE ref.code (
    name     text NOT NULL,
    version  text NOT NULL,
    code     text NOT NULL,
    label    text NOT NULL,
    parent   text,
    PRIMARY KEY (name, version, code),
    FOREIGN KEY (name, version) REFERENCES ref.codelist
);
CREATE TABLE ref.crosswalk (
    name          text NOT NULL,
    authority     text NOT NULL,
    from_list     text NOT NULL,
    from_version  text NOT NULL,
    to_list       text NOT NULL,
    to_version    text NOT NULL,
    from_code     text NOT NULL,
    to_code       text NOT NULL,
    PRIMARY KEY (name, from_code)
);
COMMENT ON TABLE ref.code IS 'Every code of every version of every reference code list, with its label and parent code';
COMMENT ON TABLE ref.crosswalk IS 'Maps between code systems, e.g. BPS 2020 region codes to Kemendagri codes';

CREATE TABLE meta.dataset (
    name           text PRIMARY KEY,
    title          text NOT NULL,
    version        text NOT NULL,
    description    text NOT NULL,
    produsen_data  text NOT NULL,
    frekuensi      text NOT NULL,
    cakupan        text NOT NULL,
    metadata       jsonb NOT NULL,
    table_name     text NOT NULL,
    mode           text NOT NULL,
    primary_key    text[] NOT NULL,
    period         text[] NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE meta.variable (
    dataset      text NOT NULL REFERENCES meta.dataset ON DELETE CASCADE,
    name         text NOT NULL,
    position     integer NOT NULL,
    title        text,
    description  text,
    konsep       text,
    definisi     text,
    type         text NOT NULL,
    unit         text,
    codelist     text,
    personal     boolean NOT NULL,
    privacy      text,
    PRIMARY KEY (dataset, name)
);
COMMENT ON TABLE meta.dataset IS 'Satu Data metadata of each dataset: the data standard (konsep, definisi, klasifikasi, ukuran, satuan, dasar rujukan) and produsen data, frekuensi, cakupan';
COMMENT ON TABLE meta.variable IS 'Each variable of each dataset: type, unit, code list, and whether it is personal (hidden from analysts)';

GRANT USAGE ON SCHEMA walidata, ref, meta, etl TO walidata_analyst, walidata_loader;
GRANT SELECT ON ALL TABLES IN SCHEMA ref, meta TO walidata_analyst;
GRANT SELECT ON etl.quality, etl.run, etl.source_item TO walidata_analyst;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA etl, ref, meta TO walidata_loader;
GRANT CREATE ON SCHEMA walidata TO walidata_loader;
