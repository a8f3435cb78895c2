-- m001: the history (append-only entries), the gazetteer, the grants, and who may do what.
-- Frozen as written: a later change is a new migration. Run by `chuyi server init` as a
-- superuser, in one transaction; every object is owned by chuyi_owner, which no login is.

CREATE SCHEMA chuyi AUTHORIZATION chuyi_owner;
REVOKE ALL ON SCHEMA chuyi FROM PUBLIC;
SET LOCAL ROLE chuyi_owner;

CREATE TABLE chuyi.migration (
    name text PRIMARY KEY,
    applied timestamptz NOT NULL DEFAULT now(),
    applied_by name NOT NULL DEFAULT session_user
);

-- The gazetteer as chuyi ships it (loaded again by every init): a 市州 grant covers the
-- 县市区 whose parent it is; a grant of the province covers every region.
CREATE TABLE chuyi.region (
    code text PRIMARY KEY,
    name text NOT NULL,
    level text NOT NULL CHECK (level IN ('province', 'city', 'county')),
    parent text REFERENCES chuyi.region (code)
);

-- Where each recorder login may record: a region (the province for all), and a target
-- or every target (NULL).
CREATE TABLE chuyi.grant_scope (
    login name NOT NULL,
    region text NOT NULL REFERENCES chuyi.region (code),
    target text CHECK (target <> ''),
    granted_by name NOT NULL DEFAULT session_user,
    granted_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (login, region, target)
);

-- The history: the columns and rules of the SQLite store's entry table. Text is compared
-- by its bytes (COLLATE "C"), as SQLite compares it: ids, units and days sort alike.
CREATE TABLE chuyi.entry (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text COLLATE "C" NOT NULL UNIQUE CHECK (length(id) BETWEEN 8 AND 64),
    target text COLLATE "C" NOT NULL CHECK (target <> ''),
    unit text COLLATE "C" CHECK (unit <> ''),
    region text COLLATE "C",
    stage text COLLATE "C" CHECK (stage IN ('selected', 'building', 'accepted', 'revoked')),
    state text COLLATE "C" CHECK (state IN ('not_started', 'in_progress', 'done')),
    quantity bigint CHECK (quantity > 0),
    observed text COLLATE "C" NOT NULL CHECK (observed ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    recorded text COLLATE "C" NOT NULL,
    -- the login that wrote it: the server's session_user, never the client's word
    recorder text COLLATE "C" NOT NULL DEFAULT session_user CHECK (recorder <> ''),
    note text,
    evidence text,
    evidence_sha256 text COLLATE "C" CHECK (evidence_sha256 IS NULL OR length(evidence_sha256) = 64),
    voids text COLLATE "C" REFERENCES chuyi.entry (id) DEFERRABLE INITIALLY DEFERRED,
    CHECK (num_nonnulls(stage, state, quantity, voids) = 1)
);
CREATE INDEX entry_by_unit ON chuyi.entry (target, unit, observed, recorded, id);
CREATE INDEX entry_by_voids ON chuyi.entry (voids) WHERE voids IS NOT NULL;
CREATE INDEX entry_by_observed ON chuyi.entry (observed, voids);

-- May the login of this session record for this target and region?
CREATE FUNCTION chuyi.may_record(p_target text, p_region text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1
        FROM chuyi.grant_scope g JOIN chuyi.region r ON r.code = g.region
        WHERE g.login = session_user
          AND (g.target IS NULL OR g.target = p_target)
          AND (r.level = 'province'
               OR g.region = p_region
               OR g.region = (SELECT c.parent FROM chuyi.region c WHERE c.code = p_region))
    )
$$;

-- Before a row is written: its recorder is the session's login, and the login holds a
-- grant for its region and target. A refusal names what is missing (DETAIL, as JSON, is
-- what chuyi words in the user's language; the message is for psql users).
CREATE FUNCTION chuyi.entry_admitted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.recorder IS DISTINCT FROM session_user::text THEN
        RAISE EXCEPTION 'an entry''s recorder is the login that writes it (%), not %',
            session_user, NEW.recorder
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = json_build_object('chuyi', 'recorder', 'login', session_user,
                                             'recorder', NEW.recorder)::text;
    END IF;
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
       AND NOT chuyi.may_record(NEW.target, NEW.region) THEN
        RAISE EXCEPTION 'login % holds no recorder grant for region % and target %',
            session_user, coalesce(NEW.region, '430000 (the province)'), NEW.target
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = json_build_object('chuyi', 'not_granted', 'login', session_user,
                                             'region', NEW.region, 'target', NEW.target)::text,
                  HINT = format('an admin runs: chuyi server grant %s --recorder --region %s',
                                session_user, coalesce(NEW.region, '430000'));
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER entry_admitted BEFORE INSERT ON chuyi.entry
    FOR EACH ROW EXECUTE FUNCTION chuyi.entry_admitted();

-- Nobody, the owner and a superuser included, changes or removes an entry: a correction
-- is a new entry that voids it.
CREATE FUNCTION chuyi.entry_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'entries are append-only: void them instead'
        USING ERRCODE = 'insufficient_privilege', DETAIL = '{"chuyi": "append_only"}';
END
$$;
CREATE TRIGGER entry_no_change BEFORE UPDATE OR DELETE ON chuyi.entry
    FOR EACH ROW EXECUTE FUNCTION chuyi.entry_append_only();
CREATE TRIGGER entry_no_truncate BEFORE TRUNCATE ON chuyi.entry
    FOR EACH STATEMENT EXECUTE FUNCTION chuyi.entry_append_only();

-- Row-level security: everyone granted a role reads every entry (the province's
-- choice); a recorder inserts what its grants cover, as itself.
ALTER TABLE chuyi.entry ENABLE ROW LEVEL SECURITY;
CREATE POLICY entry_read ON chuyi.entry FOR SELECT
    TO chuyi_admin, chuyi_recorder, chuyi_viewer USING (true);
CREATE POLICY entry_record ON chuyi.entry FOR INSERT TO chuyi_recorder
    WITH CHECK (recorder = session_user::text AND chuyi.may_record(target, region));

-- Grants, through these two functions only (they run as chuyi_owner, which may create
-- logins and grant roles; EXECUTE is chuyi_admin's).
CREATE FUNCTION chuyi.grant_login(p_login text, p_role text, p_region text, p_target text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    created boolean := false;
BEGIN
    IF p_role NOT IN ('admin', 'recorder', 'viewer') THEN
        RAISE EXCEPTION 'no such chuyi role: %', p_role USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_login ~* '^(chuyi_|pg_)' OR p_login IN ('public', 'none', 'current_user',
                                                  'session_user', 'current_role') THEN
        RAISE EXCEPTION 'not a login for people: %', p_login
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = json_build_object('chuyi', 'reserved_login', 'login', p_login)::text;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login AND rolsuper) THEN
        RAISE EXCEPTION 'login % is a superuser: it needs no grant', p_login
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = json_build_object('chuyi', 'superuser', 'login', p_login)::text;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', p_login);
        created := true;
    END IF;
    EXECUTE format('GRANT %I TO %I', 'chuyi_' || p_role, p_login);
    IF p_role = 'recorder' THEN
        IF p_region IS NULL THEN
            RAISE EXCEPTION 'a recorder is granted a region' USING ERRCODE = 'null_value_not_allowed';
        END IF;
        INSERT INTO chuyi.grant_scope (login, region, target)
        VALUES (p_login, p_region, p_target) ON CONFLICT DO NOTHING;
    END IF;
    RETURN created;
END
$$;

CREATE FUNCTION chuyi.revoke_login(p_login text, p_region text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    gone integer;
BEGIN
    IF p_login ~* '^(chuyi_|pg_)' THEN
        RAISE EXCEPTION 'not a login for people: %', p_login
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = json_build_object('chuyi', 'reserved_login', 'login', p_login)::text;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
        RAISE EXCEPTION 'no such login: %', p_login
            USING ERRCODE = 'undefined_object',
                  DETAIL = json_build_object('chuyi', 'no_login', 'login', p_login)::text;
    END IF;
    IF p_region IS NULL THEN
        DELETE FROM chuyi.grant_scope WHERE login = p_login;
        GET DIAGNOSTICS gone = ROW_COUNT;
        EXECUTE format('REVOKE chuyi_admin, chuyi_recorder, chuyi_viewer FROM %I', p_login);
    ELSE
        DELETE FROM chuyi.grant_scope WHERE login = p_login AND region = p_region;
        GET DIAGNOSTICS gone = ROW_COUNT;
        IF NOT EXISTS (SELECT 1 FROM chuyi.grant_scope WHERE login = p_login) THEN
            EXECUTE format('REVOKE chuyi_recorder FROM %I', p_login);
        END IF;
    END IF;
    RETURN gone;
END
$$;

-- Privileges: nothing for PUBLIC; reading for the three roles; appending for recorders;
-- no UPDATE, DELETE or TRUNCATE on entries for anyone, the owner included.
REVOKE ALL ON ALL TABLES IN SCHEMA chuyi FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA chuyi FROM PUBLIC;
GRANT USAGE ON SCHEMA chuyi TO chuyi_admin, chuyi_recorder, chuyi_viewer;
GRANT SELECT ON ALL TABLES IN SCHEMA chuyi TO chuyi_admin, chuyi_recorder, chuyi_viewer;
GRANT INSERT ON chuyi.entry TO chuyi_recorder;
GRANT EXECUTE ON FUNCTION chuyi.may_record(text, text)
    TO chuyi_admin, chuyi_recorder, chuyi_viewer;
GRANT EXECUTE ON FUNCTION chuyi.grant_login(text, text, text, text) TO chuyi_admin;
GRANT EXECUTE ON FUNCTION chuyi.revoke_login(text, text) TO chuyi_admin;
REVOKE UPDATE, DELETE, TRUNCATE ON chuyi.entry FROM chuyi_owner;
-- (The foreign key of a void checks its entry with SELECT … FOR KEY SHARE, as the owner,
-- which PostgreSQL allows only with a right to update some column: seq, which the
-- trigger keeps as unchangeable as the rest.)
GRANT UPDATE (seq) ON chuyi.entry TO chuyi_owner;

RESET ROLE;
