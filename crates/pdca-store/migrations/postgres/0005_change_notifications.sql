-- Every commit that changes what a `pdca serve` process keeps in memory (sessions, tokens,
-- users, and everything an evaluation or a page is computed from) notifies the channel
-- `pdca_changes`, whichever process or tool wrote it. PostgreSQL delivers the notification to
-- every listening session when the transaction commits, once per transaction however many
-- statements fired it (`pdca-store/src/changes.rs`). Failed sign-ins are left out: no memo
-- depends on them. A table added later gets the same trigger in its own migration.
CREATE FUNCTION pdca_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pdca_changes', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plan_versions
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON assignments
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON actual_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON actual_batches
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON follow_up_rounds
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON round_ratings
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON round_items
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON round_item_links
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON meetings
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON meeting_materials
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
