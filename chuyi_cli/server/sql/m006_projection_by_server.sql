-- m006: the projection (m002's tables) derived by the server itself, as the owner, from
-- the history: no login but the owner writes it, so what status and summary show on the
-- server is what the entries fold to, whoever connects with psql. The rules are those of
-- the SQLite store (chuyi_cli/fold.py, chuyi_cli/store/derive.py):
--   a unit's current stage or state is that of its latest live entry (observed, recorded,
--   id); live: neither a void nor voided; its region that of the latest live entry that
--   has one; its quantity the sum of live quantities; entries counts voids too;
--   the tally and stage_total count units per (target, region, stage or state);
--   region_last: each region's latest day of a live entry;
--   unit_delta: for the units with an entry in the last 92 days (DELTA_DAYS), how their
--   place in the tally moved on each of those days, a void counting from its own day.
-- Each INSERT into chuyi.entry notes the units and regions it touched; when the
-- transaction commits, those units are derived again from the history, once, and the
-- difference applied to the tally and stage_total.

SET LOCAL ROLE chuyi_owner;

-- The units a transaction touched, derived again when it commits (then emptied).
CREATE TABLE chuyi.projection_due (
    txid bigint NOT NULL,
    target text COLLATE "C" NOT NULL,
    unit text COLLATE "C" NOT NULL,  -- '' for a target without units
    PRIMARY KEY (txid, target, unit)
);
-- The regions whose last record it moved: forward to observed, or (NULL, a void) to be
-- derived again.
CREATE TABLE chuyi.projection_region (
    txid bigint NOT NULL,
    region text COLLATE "C" NOT NULL,
    observed text COLLATE "C",
    PRIMARY KEY (txid, region)
);
-- One row for each transaction with units due: its deferred trigger derives them.
CREATE TABLE chuyi.projection_pending (txid bigint PRIMARY KEY);
REVOKE ALL ON chuyi.projection_due, chuyi.projection_region, chuyi.projection_pending
    FROM PUBLIC;

-- A target's lock key, as chuyi's writers take it (chuyi_cli/server/db.py).
CREATE FUNCTION chuyi.target_lock(p_target text) RETURNS bigint
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT ('x' || left(encode(sha256(convert_to(p_target, 'UTF8')), 'hex'), 16))::bit(64)::bigint
$$;

-- After each INSERT into chuyi.entry: its units are due, and region_last moves.
CREATE FUNCTION chuyi.entry_projected() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tx bigint := txid_current();
BEGIN
    -- (Nothing is locked here: a transaction left open holds up no other writer.)
    INSERT INTO chuyi.projection_due (txid, target, unit)
    SELECT DISTINCT tx, a.target, coalesce(a.unit, '') FROM added a ORDER BY 2, 3
    ON CONFLICT DO NOTHING;
    INSERT INTO chuyi.projection_region AS r (txid, region, observed)
    SELECT tx, a.region, max(a.observed) FROM added a
    WHERE a.region IS NOT NULL AND a.voids IS NULL
      AND NOT EXISTS (SELECT 1 FROM chuyi.entry v WHERE v.voids = a.id OFFSET 0)
    GROUP BY a.region ORDER BY a.region
    ON CONFLICT (txid, region) DO UPDATE
        SET observed = greatest(r.observed, excluded.observed) WHERE r.observed IS NOT NULL;
    IF EXISTS (SELECT 1 FROM added WHERE voids IS NOT NULL) THEN
        -- the units of the entries voided too (should a void name another's), and their
        -- regions' last records to derive again (observed NULL)
        INSERT INTO chuyi.projection_due (txid, target, unit)
        SELECT DISTINCT tx, e.target, coalesce(e.unit, '')
        FROM added a JOIN chuyi.entry e ON e.id = a.voids ORDER BY 2, 3
        ON CONFLICT DO NOTHING;
        INSERT INTO chuyi.projection_region AS r (txid, region, observed)
        SELECT DISTINCT tx, e.region, NULL::text
        FROM added a JOIN chuyi.entry e ON e.id = a.voids WHERE e.region IS NOT NULL
        ORDER BY 2
        ON CONFLICT (txid, region) DO UPDATE SET observed = NULL;
    END IF;
    INSERT INTO chuyi.projection_pending VALUES (tx) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER entry_projected AFTER INSERT ON chuyi.entry
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION chuyi.entry_projected();

-- These regions' last records from their live entries (NULL: every region's), newest
-- day first through the day index.
CREATE FUNCTION chuyi.region_last_again(p_regions text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_regions IS NULL THEN
        DELETE FROM chuyi.region_last;
        INSERT INTO chuyi.region_last (region, observed)
        SELECT e.region, max(e.observed) FROM chuyi.entry e
        WHERE e.region IS NOT NULL AND e.voids IS NULL
          AND NOT EXISTS (SELECT 1 FROM chuyi.entry v WHERE v.voids = e.id)
        GROUP BY e.region;
        RETURN;
    END IF;
    DELETE FROM chuyi.region_last WHERE region = ANY (p_regions);
    INSERT INTO chuyi.region_last (region, observed)
    SELECT r.region, l.observed
    FROM unnest(p_regions) AS r (region)
    JOIN LATERAL (
        SELECT e.observed FROM chuyi.entry e
        WHERE e.region = r.region AND e.voids IS NULL
          AND NOT EXISTS (SELECT 1 FROM chuyi.entry v WHERE v.voids = e.id)
        ORDER BY e.observed DESC LIMIT 1
    ) AS l ON true;
END
$$;

-- The due units of transaction p_txid derived again from the history: unit_state, the
-- difference applied to tally and stage_total, and their recent days in unit_delta.
-- (Each statement reads the units' entries once, in order, and joins no two derived
-- sets: however many units are due, one or an import's thousands, its plan stays a
-- look-up or a pass. A look-up of a unit's latest entry is ordered as the unit index
-- is, so that it is read there, from the end of the unit's range; whether a void took
-- an entry back is a look-up of that entry's voids (OFFSET 0: not a join).)
CREATE FUNCTION chuyi.derive_units(p_txid bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET work_mem = '64MB' AS $$
BEGIN
    IF (SELECT count(*) FROM chuyi.projection_due WHERE txid = p_txid) > 5000 THEN
        -- (many units, an import's: planned as many, their entries read in one pass)
        ANALYZE chuyi.projection_due;
    END IF;
    WITH rows AS (  -- the due units' entries, each live or not
        SELECT d.target, d.unit, e.id, e.region, e.stage, e.state, e.quantity, e.observed,
               e.recorded, e.voids IS NULL AND NOT EXISTS (
                   SELECT 1 FROM chuyi.entry v WHERE v.voids = e.id
               ) AS live
        FROM chuyi.projection_due d
        JOIN chuyi.entry e ON e.target = d.target AND e.unit = d.unit
        WHERE d.txid = p_txid
        UNION ALL
        SELECT d.target, d.unit, e.id, e.region, e.stage, e.state, e.quantity, e.observed,
               e.recorded, e.voids IS NULL AND NOT EXISTS (
                   SELECT 1 FROM chuyi.entry v WHERE v.voids = e.id
               )
        FROM chuyi.projection_due d
        JOIN chuyi.entry e ON e.target = d.target AND e.unit IS NULL
        WHERE d.txid = p_txid AND d.unit = ''
    ),
    ranked AS (  -- the latest live entry (nth 1), and the latest live one with a region
        SELECT r.*,
               row_number() OVER (PARTITION BY target, unit, live
                                  ORDER BY observed DESC, recorded DESC, id DESC) AS nth,
               row_number() OVER (PARTITION BY target, unit, live AND region IS NOT NULL
                                  ORDER BY observed DESC, recorded DESC, id DESC) AS nth_placed
        FROM rows r
    ),
    now AS (
        SELECT target, unit,
               max(region) FILTER (WHERE live AND region IS NOT NULL AND nth_placed = 1)
                   AS region,
               max(stage) FILTER (WHERE live AND nth = 1) AS stage,
               max(state) FILTER (WHERE live AND nth = 1) AS state,
               coalesce(sum(quantity) FILTER (WHERE live), 0)::bigint AS quantity,
               count(*) FILTER (WHERE live) AS live,
               count(*) AS entries,
               max(observed) FILTER (WHERE live AND nth = 1) AS last_observed,
               max(observed) FILTER (WHERE live AND nth = 1) AS latest_observed,
               max(recorded) FILTER (WHERE live AND nth = 1) AS latest_recorded,
               max(id) FILTER (WHERE live AND nth = 1) AS latest_id,
               max(observed) FILTER (WHERE live AND region IS NOT NULL AND nth_placed = 1)
                   AS region_observed,
               max(recorded) FILTER (WHERE live AND region IS NOT NULL AND nth_placed = 1)
                   AS region_recorded,
               max(id) FILTER (WHERE live AND region IS NOT NULL AND nth_placed = 1)
                   AS region_id
        FROM ranked GROUP BY target, unit
    ),
    was AS (
        SELECT u.* FROM chuyi.projection_due d
        JOIN chuyi.unit_state u ON u.target = d.target AND u.unit = d.unit
        WHERE d.txid = p_txid
    ),
    moves AS (
        SELECT target, coalesce(region, '') AS region, coalesce(stage, state, '') AS stage,
               1 AS units, live, quantity
        FROM now
        UNION ALL
        SELECT target, coalesce(region, ''), coalesce(stage, state, ''), -1, -live, -quantity
        FROM was
    ),
    tally_moves AS (
        SELECT target, region, stage, sum(units)::bigint AS units, sum(live)::bigint AS live,
               sum(quantity)::bigint AS quantity
        FROM moves GROUP BY target, region, stage
        HAVING sum(units) <> 0 OR sum(live) <> 0 OR sum(quantity) <> 0
    ),
    states AS (
        INSERT INTO chuyi.unit_state AS u (
            target, unit, region, stage, state, quantity, live, entries, last_observed,
            latest_observed, latest_recorded, latest_id, region_observed, region_recorded,
            region_id
        )
        SELECT target, unit, region, stage, state, quantity, live, entries, last_observed,
               latest_observed, latest_recorded, latest_id, region_observed,
               region_recorded, region_id
        FROM now ORDER BY target, unit
        ON CONFLICT (target, unit) DO UPDATE SET
            region = excluded.region, stage = excluded.stage, state = excluded.state,
            quantity = excluded.quantity, live = excluded.live, entries = excluded.entries,
            last_observed = excluded.last_observed, latest_observed = excluded.latest_observed,
            latest_recorded = excluded.latest_recorded, latest_id = excluded.latest_id,
            region_observed = excluded.region_observed,
            region_recorded = excluded.region_recorded, region_id = excluded.region_id
        WHERE ROW(u.*) IS DISTINCT FROM ROW(excluded.*)
    ),
    tallied AS (
        INSERT INTO chuyi.tally AS t
        SELECT * FROM tally_moves ORDER BY target, region, stage
        ON CONFLICT (target, region, stage) DO UPDATE SET
            units = t.units + excluded.units, live = t.live + excluded.live,
            quantity = t.quantity + excluded.quantity
    )
    INSERT INTO chuyi.stage_total AS s
    SELECT target, stage, sum(units), sum(live), sum(quantity) FROM tally_moves
    GROUP BY target, stage HAVING sum(units) <> 0 OR sum(live) <> 0 OR sum(quantity) <> 0
    ORDER BY target, stage
    ON CONFLICT (target, stage) DO UPDATE SET
        units = s.units + excluded.units, live = s.live + excluded.live,
        quantity = s.quantity + excluded.quantity;

    DELETE FROM chuyi.tally WHERE units = 0 AND live = 0 AND quantity = 0
        AND target IN (SELECT target FROM chuyi.projection_due WHERE txid = p_txid);
    DELETE FROM chuyi.stage_total WHERE units = 0 AND live = 0 AND quantity = 0
        AND target IN (SELECT target FROM chuyi.projection_due WHERE txid = p_txid);
    PERFORM chuyi.derive_recent(p_txid);
END
$$;

-- unit_delta for the due units of p_txid with an entry in the last 92 days: each of
-- their days from then on, how their place in the tally moved (as chuyi_cli/fold.py's
-- unit_deltas: the unit as its entries observed by that day have it, a void counting
-- from its own day and for its own unit's entries).
CREATE FUNCTION chuyi.derive_recent(p_txid bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET work_mem = '64MB' AS $$
DECLARE
    start text := (current_date - 92)::text;
    mark text;
    many boolean := (SELECT count(*) > 1000 FROM chuyi.projection_due WHERE txid = p_txid);
BEGIN
    SELECT day INTO mark FROM chuyi.delta_mark;
    IF mark IS NULL THEN
        INSERT INTO chuyi.delta_mark VALUES (start);
    ELSIF mark < start THEN
        UPDATE chuyi.delta_mark SET day = start;
    END IF;
    DELETE FROM chuyi.unit_delta WHERE day < greatest(start, coalesce(mark, ''));
    -- (a unit's rows from start on are all on days it has entries: only a unit with an
    -- entry since then has any, and they are made again below)
    DELETE FROM chuyi.unit_delta x USING chuyi.projection_due d
    WHERE d.txid = p_txid AND x.target = d.target AND x.unit = d.unit AND x.day >= start;

    WITH recent AS (  -- the due units with an entry from start on: a look-up each, or
        -- for many (an import's) the recent entries read once
        SELECT d.target, d.unit FROM chuyi.projection_due d
        WHERE NOT many AND d.txid = p_txid AND CASE WHEN d.unit = '' THEN (
            SELECT e.observed FROM chuyi.entry e
            WHERE e.target = d.target AND e.unit IS NULL
            ORDER BY e.target DESC, e.unit DESC NULLS FIRST, e.observed DESC LIMIT 1
        ) ELSE (
            SELECT e.observed FROM chuyi.entry e
            WHERE e.target = d.target AND e.unit = d.unit
            ORDER BY e.target DESC, e.unit DESC NULLS FIRST, e.observed DESC LIMIT 1
        ) END >= start
        UNION
        SELECT e.target, coalesce(e.unit, '') FROM chuyi.entry e
        WHERE many AND e.observed >= start AND EXISTS (
            SELECT 1 FROM chuyi.projection_due d
            WHERE d.txid = p_txid AND d.target = e.target AND d.unit = coalesce(e.unit, '')
        )
    ),
    rows AS (
        SELECT r.target, r.unit, e.id, e.region, e.quantity, e.observed, e.voids
        FROM recent r JOIN chuyi.entry e ON e.target = r.target AND e.unit = r.unit
        UNION ALL
        SELECT r.target, r.unit, e.id, e.region, e.quantity, e.observed, e.voids
        FROM recent r JOIN chuyi.entry e ON e.target = r.target AND e.unit IS NULL
        WHERE r.unit = ''
    ),
    marked AS (  -- gone: the day an entry's first void (of its unit) was observed;
        -- placed: a unit with a region somewhere in its history
        SELECT target, unit, observed, voids, coalesce(quantity, 0) AS quantity,
               min(observed) FILTER (WHERE voids IS NOT NULL)
                   OVER (PARTITION BY target, unit, coalesce(voids, id)) AS gone,
               bool_or(region IS NOT NULL) OVER (PARTITION BY target, unit) AS placed
        FROM rows
    ),
    ticks AS (  -- each entry live from its day until its void's; every day of the unit
        SELECT target, unit, observed AS day, placed,
               CASE WHEN voids IS NULL AND (gone IS NULL OR gone > observed) THEN 1
                    ELSE 0 END AS live,
               CASE WHEN voids IS NULL AND (gone IS NULL OR gone > observed) THEN quantity
                    ELSE 0 END AS quantity
        FROM marked
        UNION ALL
        SELECT target, unit, gone, placed, -1, -quantity
        FROM marked WHERE voids IS NULL AND gone > observed
    ),
    running AS (
        SELECT target, unit, day, placed,
               sum(sum(live)) OVER w AS live, sum(sum(quantity)) OVER w AS quantity,
               lead(day) OVER w AS next
        FROM ticks GROUP BY target, unit, day, placed
        WINDOW w AS (PARTITION BY target, unit ORDER BY day)
    ),
    points AS (  -- the unit's days from start on, and the last one before
        SELECT * FROM running WHERE day >= start OR next IS NULL OR next >= start
    ),
    standing AS (
        SELECT p.target, p.unit, p.day,
               coalesce(coalesce(n.region, u.region), '') AS region,
               coalesce(coalesce(ln.stage, lu.stage), coalesce(ln.state, lu.state), '') AS stage,
               p.live::bigint AS live, p.quantity::bigint AS quantity,
               coalesce(ln.observed, lu.observed) AS latest
        FROM points p
        LEFT JOIN LATERAL (
            SELECT e.stage, e.state, e.observed FROM chuyi.entry e
            WHERE p.unit <> '' AND e.target = p.target AND e.unit = p.unit
              AND e.observed <= p.day AND e.voids IS NULL
              AND NOT EXISTS (SELECT 1 FROM chuyi.entry v WHERE v.voids = e.id
                              AND v.observed <= p.day AND v.target = e.target
                              AND v.unit = e.unit OFFSET 0)
            ORDER BY e.target DESC, e.unit DESC NULLS FIRST, e.observed DESC, e.recorded DESC,
                     e.id DESC LIMIT 1
        ) AS ln ON true
        LEFT JOIN LATERAL (
            SELECT e.stage, e.state, e.observed FROM chuyi.entry e
            WHERE p.unit = '' AND e.target = p.target AND e.unit IS NULL
              AND e.observed <= p.day AND e.voids IS NULL
              AND NOT EXISTS (SELECT 1 FROM chuyi.entry v WHERE v.voids = e.id
                              AND v.observed <= p.day AND v.target = e.target
                              AND v.unit IS NULL OFFSET 0)
            ORDER BY e.target DESC, e.unit DESC NULLS FIRST, e.observed DESC, e.recorded DESC,
                     e.id DESC LIMIT 1
        ) AS lu ON true
        LEFT JOIN LATERAL (
            SELECT e.region FROM chuyi.entry e
            WHERE p.placed AND p.unit <> '' AND e.target = p.target AND e.unit = p.unit
              AND e.observed <= p.day AND e.voids IS NULL AND e.region IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM chuyi.entry v WHERE v.voids = e.id
                              AND v.observed <= p.day AND v.target = e.target
                              AND v.unit = e.unit OFFSET 0)
            ORDER BY e.target DESC, e.unit DESC NULLS FIRST, e.observed DESC, e.recorded DESC,
                     e.id DESC LIMIT 1
        ) AS n ON true
        LEFT JOIN LATERAL (
            SELECT e.region FROM chuyi.entry e
            WHERE p.placed AND p.unit = '' AND e.target = p.target AND e.unit IS NULL
              AND e.observed <= p.day AND e.voids IS NULL AND e.region IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM chuyi.entry v WHERE v.voids = e.id
                              AND v.observed <= p.day AND v.target = e.target
                              AND v.unit IS NULL OFFSET 0)
            ORDER BY e.target DESC, e.unit DESC NULLS FIRST, e.observed DESC, e.recorded DESC,
                     e.id DESC LIMIT 1
        ) AS u ON true
    ),
    paired AS (
        SELECT s.*, lag(s.day) OVER w AS was_day, lag(s.region) OVER w AS was_region,
               lag(s.stage) OVER w AS was_stage, lag(s.live) OVER w AS was_live,
               lag(s.quantity) OVER w AS was_quantity
        FROM standing s
        WINDOW w AS (PARTITION BY s.target, s.unit ORDER BY s.day)
    )
    INSERT INTO chuyi.unit_delta (target, unit, day, region, stage, units, live, quantity, latest)
    SELECT target, unit, day, region, stage, 0, live - was_live, quantity - was_quantity, latest
    FROM paired
    WHERE day >= start AND was_day IS NOT NULL AND region = was_region AND stage = was_stage
      AND (live <> was_live OR quantity <> was_quantity)
    UNION ALL
    SELECT target, unit, day, region, stage, 1, live, quantity, latest
    FROM paired
    WHERE day >= start AND (was_day IS NULL OR region <> was_region OR stage <> was_stage)
    UNION ALL
    SELECT target, unit, day, was_region, was_stage, -1, -was_live, -was_quantity, latest
    FROM paired
    WHERE day >= start AND was_day IS NOT NULL AND (region <> was_region OR stage <> was_stage);
END
$$;

-- When the transaction commits (its deferred trigger): its due units derived, once.
CREATE FUNCTION chuyi.projection_settle() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- The locks chuyi's writers take (the store's, shared, and each target's; the store's
    -- alone when a void may take a region's last record back), for a writer through psql.
    IF EXISTS (SELECT 1 FROM chuyi.projection_region
               WHERE txid = NEW.txid AND observed IS NULL) THEN
        PERFORM pg_advisory_xact_lock(426954291561);
    ELSE
        PERFORM pg_advisory_xact_lock_shared(426954291561);
        PERFORM pg_advisory_xact_lock(k) FROM (
            SELECT DISTINCT chuyi.target_lock(target) AS k FROM chuyi.projection_due
            WHERE txid = NEW.txid
        ) AS t ORDER BY k;
    END IF;
    INSERT INTO chuyi.region_last AS r (region, observed)
    SELECT region, observed FROM chuyi.projection_region
    WHERE txid = NEW.txid AND observed IS NOT NULL ORDER BY region
    ON CONFLICT (region) DO UPDATE SET observed = greatest(r.observed, excluded.observed);
    PERFORM chuyi.region_last_again(ARRAY(
        SELECT region FROM chuyi.projection_region
        WHERE txid = NEW.txid AND observed IS NULL ORDER BY region
    ));
    DELETE FROM chuyi.projection_region WHERE txid = NEW.txid;
    PERFORM chuyi.derive_units(NEW.txid);
    DELETE FROM chuyi.projection_due WHERE txid = NEW.txid;
    DELETE FROM chuyi.projection_pending WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER projection_settled AFTER INSERT ON chuyi.projection_pending
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION chuyi.projection_settle();

-- The whole projection derived again from the history (init after a migration, and
-- `chuyi server check --repair`), through the same rules, under the store's lock.
CREATE FUNCTION chuyi.derive_projection() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tx bigint := txid_current();
BEGIN
    PERFORM pg_advisory_xact_lock(426954291561);
    DELETE FROM chuyi.unit_state;
    DELETE FROM chuyi.tally;
    DELETE FROM chuyi.stage_total;
    DELETE FROM chuyi.unit_delta;
    DELETE FROM chuyi.delta_mark;
    INSERT INTO chuyi.projection_due (txid, target, unit)
    SELECT DISTINCT tx, target, coalesce(unit, '') FROM chuyi.entry
    ON CONFLICT DO NOTHING;
    PERFORM chuyi.derive_units(tx);
    DELETE FROM chuyi.projection_due WHERE txid = tx;
    PERFORM chuyi.region_last_again(NULL);
END
$$;

-- Nobody but the owner writes the projection: the recorders' rights of m002 go.
REVOKE INSERT, UPDATE, DELETE ON chuyi.unit_state, chuyi.tally, chuyi.stage_total,
    chuyi.region_last, chuyi.unit_delta, chuyi.delta_mark FROM chuyi_recorder;
REVOKE ALL ON FUNCTION chuyi.target_lock(text), chuyi.entry_projected(),
    chuyi.region_last_again(text[]), chuyi.derive_units(bigint), chuyi.derive_recent(bigint),
    chuyi.projection_settle(), chuyi.derive_projection() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chuyi.derive_projection() TO chuyi_admin;

RESET ROLE;
