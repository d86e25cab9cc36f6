-- Nothing to do on SQLite: a `pdca serve` process sees every commit to the file in the file
-- itself (`pdca-store/src/sqlite_read.rs`). PostgreSQL's migration 5 adds the triggers that
-- notify commits; this one keeps the two lists of migrations numbered alike.
SELECT 1;
