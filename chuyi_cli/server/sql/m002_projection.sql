-- m002: the projection of the history that every write keeps in step, in its own
-- transaction: the tables of the SQLite store's present and recent past (unit_state,
-- tally, stage_total, region_last, unit_delta, delta_mark), the same columns and keys.
-- Recorders write them beside their entries; everyone granted a role reads them. They
-- hold nothing the history does not: `chuyi server check` compares them with it, and
-- `chuyi check --repair` derives them again.

SET LOCAL ROLE chuyi_owner;

CREATE TABLE chuyi.unit_state (
    target text COLLATE "C" NOT NULL,
    unit text COLLATE "C" NOT NULL,
    region text COLLATE "C",
    stage text COLLATE "C",
    state text COLLATE "C",
    quantity bigint NOT NULL,
    live bigint NOT NULL CHECK (live >= 0),
    entries bigint NOT NULL CHECK (entries > 0),
    last_observed text COLLATE "C",
    latest_observed text COLLATE "C",
    latest_recorded text COLLATE "C",
    latest_id text COLLATE "C",
    region_observed text COLLATE "C",
    region_recorded text COLLATE "C",
    region_id text COLLATE "C",
    PRIMARY KEY (target, unit)
);

CREATE TABLE chuyi.tally (
    target text COLLATE "C" NOT NULL,
    region text COLLATE "C" NOT NULL,
    stage text COLLATE "C" NOT NULL,
    units bigint NOT NULL,
    live bigint NOT NULL,
    quantity bigint NOT NULL,
    PRIMARY KEY (target, region, stage)
);

CREATE TABLE chuyi.stage_total (
    target text COLLATE "C" NOT NULL,
    stage text COLLATE "C" NOT NULL,
    units bigint NOT NULL,
    live bigint NOT NULL,
    quantity bigint NOT NULL,
    PRIMARY KEY (target, stage)
);

CREATE TABLE chuyi.region_last (
    region text COLLATE "C" PRIMARY KEY,
    observed text COLLATE "C" NOT NULL
);

CREATE TABLE chuyi.unit_delta (
    target text COLLATE "C" NOT NULL,
    unit text COLLATE "C" NOT NULL,
    day text COLLATE "C" NOT NULL,
    region text COLLATE "C" NOT NULL,
    stage text COLLATE "C" NOT NULL,
    units bigint NOT NULL,
    live bigint NOT NULL,
    quantity bigint NOT NULL,
    latest text COLLATE "C",
    PRIMARY KEY (target, unit, day, region, stage)
);
CREATE INDEX unit_delta_by_day ON chuyi.unit_delta (day, units, live, quantity, latest);

CREATE TABLE chuyi.delta_mark (day text COLLATE "C" NOT NULL);

REVOKE ALL ON chuyi.unit_state, chuyi.tally, chuyi.stage_total, chuyi.region_last,
    chuyi.unit_delta, chuyi.delta_mark FROM PUBLIC;
GRANT SELECT ON chuyi.unit_state, chuyi.tally, chuyi.stage_total, chuyi.region_last,
    chuyi.unit_delta, chuyi.delta_mark TO chuyi_admin, chuyi_recorder, chuyi_viewer;
GRANT INSERT, UPDATE, DELETE ON chuyi.unit_state, chuyi.tally, chuyi.stage_total,
    chuyi.region_last, chuyi.unit_delta, chuyi.delta_mark TO chuyi_recorder;

RESET ROLE;
