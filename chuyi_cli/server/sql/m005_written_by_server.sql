-- m005: where an entry stands in the history is the server's word, never the client's.
-- `seq` (its place) and `written` (the transaction that wrote it, which sync reads by)
-- are given by the server alone: a recorder may INSERT every other column of an entry,
-- so no INSERT can name these two (nor OVERRIDING SYSTEM VALUE for seq), and an entry
-- cannot be made to look older than it is to a laptop's next sync. Run again by a
-- repair (`chuyi server check --repair`): it states the whole right.

SET LOCAL ROLE chuyi_owner;

REVOKE INSERT ON chuyi.entry FROM chuyi_recorder;
GRANT INSERT (id, target, unit, region, stage, state, quantity, observed, recorded, recorder,
              note, evidence, evidence_sha256, voids)
    ON chuyi.entry TO chuyi_recorder;

RESET ROLE;
