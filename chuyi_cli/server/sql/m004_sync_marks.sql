-- m004: what a laptop's sync needs to read only what is new since its last one.
-- Each entry keeps the id of the transaction that wrote it (`written`; the entries from
-- before this migration have none and count as old). Sequence values are taken in one
-- order and committed in another, so "every seq above the last one seen" can miss an
-- entry; a transaction id cannot: a sync notes the oldest transaction still running when
-- it starts (pg_snapshot_xmin), every entry written below that is committed and was seen
-- by that sync, and the next sync reads the entries written from that id on.
-- The database's identity, made once here, tells a laptop that it syncs with the same
-- database as before (a database made again, or restored from a dump, is another).

SET LOCAL ROLE chuyi_owner;

ALTER TABLE chuyi.entry ADD COLUMN written xid8;
ALTER TABLE chuyi.entry ALTER COLUMN written SET DEFAULT pg_current_xact_id();
CREATE INDEX entry_by_written ON chuyi.entry (written);

CREATE TABLE chuyi.identity (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    made timestamptz NOT NULL DEFAULT now()
);
INSERT INTO chuyi.identity DEFAULT VALUES;
REVOKE ALL ON chuyi.identity FROM PUBLIC;
GRANT SELECT ON chuyi.identity TO chuyi_admin, chuyi_recorder, chuyi_viewer;

RESET ROLE;
