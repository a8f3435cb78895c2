-- The roles, made again by every `chuyi server init` (roles belong to the whole server,
-- not to one database). None of them logs in: a login is granted one of them.
--   chuyi_owner     owns the schema; nobody is granted it. It may create logins and grant
--                   them the roles below, through chuyi's grant functions only.
--   chuyi_admin     grants and revokes (chuyi server grant/revoke), checks; reads.
--   chuyi_recorder  appends entries for the regions (and targets) granted; reads.
--   chuyi_viewer    reads.
DO $roles$
DECLARE
    role text;
BEGIN
    FOREACH role IN ARRAY ARRAY['chuyi_owner', 'chuyi_admin', 'chuyi_recorder', 'chuyi_viewer']
    LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', role);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- made by an earlier init, or by one running now on another database
        END;
    END LOOP;
END
$roles$;
-- Their attributes as made, changed only where they differ (two inits at once on two
-- databases would otherwise update the same role row).
DO $attributes$
DECLARE
    role text;
BEGIN
    FOREACH role IN ARRAY ARRAY['chuyi_owner', 'chuyi_admin', 'chuyi_recorder', 'chuyi_viewer']
    LOOP
        IF EXISTS (
            SELECT 1 FROM pg_roles
            WHERE rolname = role
              AND (rolcanlogin OR rolsuper OR rolcreatedb OR rolreplication OR rolbypassrls
                   OR rolcreaterole <> (role = 'chuyi_owner'))
        ) THEN
            EXECUTE format(
                'ALTER ROLE %I NOLOGIN NOSUPERUSER %s NOCREATEDB NOREPLICATION NOBYPASSRLS',
                role, CASE WHEN role = 'chuyi_owner' THEN 'CREATEROLE' ELSE 'NOCREATEROLE' END
            );
        END IF;
    END LOOP;
END
$attributes$;
