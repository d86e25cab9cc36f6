-- Actuals in batches (SQLite). The PostgreSQL migration of the same number mirrors this one;
-- change both together.
--
-- What one write shares by all its rows (the plan, who, when, the approval state and the
-- reviewer's comment) is kept once, in a batch, instead of on every row: an import of a million
-- values writes one batch and a million narrow rows. Every write of actuals (an import, one
-- value entered, a step of the approval flow, the locking of a year) makes its own batch.
CREATE TABLE actual_batches (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id        TEXT    NOT NULL,
    recorded_by    TEXT    NOT NULL,
    -- RFC 3339, UTC.
    recorded_at    TEXT    NOT NULL,
    -- Where the batch's values stand in the approval flow (pdca_core::access::ActualState).
    state          TEXT    NOT NULL
        CHECK (state = 'approved' OR state = 'draft' OR state = 'submitted'
               OR state = 'returned' OR state = 'locked'),
    -- The reviewer's comment given with this step (as when a value is returned).
    review_comment TEXT
);
-- A plan's batches, and those of a plan in a given state, without reading the table.
CREATE INDEX actual_batches_plan ON actual_batches (plan_id, state);

-- One batch for every distinct (plan, recorder, time, state, comment) of the rows so far, in
-- the order of their first row.
INSERT INTO actual_batches (plan_id, recorded_by, recorded_at, state, review_comment)
SELECT plan_id, recorded_by, recorded_at, state, review_comment
FROM actual_revisions
GROUP BY plan_id, recorded_by, recorded_at, state, review_comment
ORDER BY MIN(id);

-- Actuals are never updated or deleted: every change is a new row, and the current value of
-- (plan, indicator, year, body) is its row with the highest id, among the rows whose batch
-- belongs to the plan. The id doubles as the version the web application compares for
-- optimistic concurrency; AUTOINCREMENT guarantees an id is never handed out twice. Ids are
-- kept as they were.
CREATE TABLE actual_revisions_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- No REFERENCES clause: with foreign keys on, SQLite would look the batch up for every row
    -- of an import. The store writes a row only with the batch it has just made.
    batch_id     INTEGER NOT NULL,
    indicator_id TEXT    NOT NULL,
    fiscal_year  INTEGER NOT NULL CHECK (fiscal_year BETWEEN 1900 AND 2200),
    body_id      TEXT    NOT NULL,
    -- Exactly one kind of value: a number, a numerator with its denominator, or a narrative.
    value        REAL,
    numerator    REAL CHECK (numerator IS NULL OR numerator >= 0),
    denominator  REAL CHECK (denominator IS NULL OR denominator >= 0),
    narrative    TEXT,
    note         TEXT,
    source       TEXT,
    CHECK ((numerator IS NULL) = (denominator IS NULL)),
    CHECK ((value IS NOT NULL) + (numerator IS NOT NULL) + (narrative IS NOT NULL) = 1)
);

INSERT INTO actual_revisions_new
    (id, batch_id, indicator_id, fiscal_year, body_id, value, numerator, denominator,
     narrative, note, source)
SELECT r.id, b.id, r.indicator_id, r.fiscal_year, r.body_id, r.value, r.numerator,
       r.denominator, r.narrative, r.note, r.source
FROM actual_revisions r
JOIN actual_batches b
  ON b.plan_id = r.plan_id AND b.recorded_by = r.recorded_by
 AND b.recorded_at = r.recorded_at AND b.state = r.state
 AND b.review_comment IS r.review_comment
ORDER BY r.id;

-- Keep the id sequence where it was (it is never below the highest id copied).
DELETE FROM sqlite_sequence WHERE name = 'actual_revisions_new';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'actual_revisions_new', seq FROM sqlite_sequence WHERE name = 'actual_revisions';

DROP TABLE actual_revisions;
ALTER TABLE actual_revisions_new RENAME TO actual_revisions;

-- Finds the rows of a key, and the latest of them in a given state through the batch, from the
-- index alone (the id is the rowid, which every index entry carries). No plan, recorder, time
-- or state on each entry: those are the batch's.
CREATE INDEX actual_revisions_key
    ON actual_revisions (indicator_id, fiscal_year, body_id, batch_id);
