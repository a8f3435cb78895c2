-- m003: the admission trigger (m001) fires only for the rows its function could refuse.
-- A row whose recorder is the session's login, written by a superuser's own session (no
-- SET ROLE, no function of another owner: the current user is the session's), passes
-- that function anyway; for it the trigger is not called at all, which is a bulk load's
-- largest cost per row. Every other row, each recorder's above all, is checked as before.

SET LOCAL ROLE chuyi_owner;

DROP TRIGGER entry_admitted ON chuyi.entry;
CREATE TRIGGER entry_admitted BEFORE INSERT ON chuyi.entry
    FOR EACH ROW
    WHEN (NEW.recorder IS DISTINCT FROM session_user::text
          OR session_user <> current_user
          OR current_setting('is_superuser') <> 'on')
    EXECUTE FUNCTION chuyi.entry_admitted();

RESET ROLE;
