-- Actuals in batches (PostgreSQL). The SQLite migration of the same number mirrors this one;
-- change both together.
--
-- What one write shares by all its rows (the plan, who, when, the approval state and the
-- reviewer's comment) is kept once, in a batch, instead of on every row: an import of a million
-- values writes one batch and a million narrow rows. Every write of actuals (an import, one
-- value entered, a step of the approval flow, the locking of a year) makes its own batch.
CREATE TABLE actual_batches (
    id             BIGSERIAL PRIMARY KEY,
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
-- A plan's batches, and those of a plan in a given state.
CREATE INDEX actual_batches_plan ON actual_batches (plan_id, state, id);

-- One batch for every distinct (plan, recorder, time, state, comment) of the rows so far, in
-- the order of their first row.
INSERT INTO actual_batches (plan_id, recorded_by, recorded_at, state, review_comment)
SELECT plan_id, recorded_by, recorded_at, state, review_comment
FROM actual_revisions
GROUP BY plan_id, recorded_by, recorded_at, state, review_comment
ORDER BY MIN(id);

-- Actuals are never updated or deleted: every change is a new row, and the current value of
-- (plan, indicator, year, body) is its row with the highest id, among the rows whose batch
-- belongs to the plan. Ids are kept as they were, and so is their sequence.
ALTER TABLE actual_revisions ADD COLUMN batch_id BIGINT;
UPDATE actual_revisions r SET batch_id = b.id
FROM actual_batches b
WHERE b.plan_id = r.plan_id AND b.recorded_by = r.recorded_by
  AND b.recorded_at = r.recorded_at AND b.state = r.state
  AND b.review_comment IS NOT DISTINCT FROM r.review_comment;
-- No foreign key, as on SQLite: the store writes a row only with the batch it has just made.
ALTER TABLE actual_revisions ALTER COLUMN batch_id SET NOT NULL;

DROP INDEX actual_revisions_key;
ALTER TABLE actual_revisions
    DROP COLUMN plan_id,
    DROP COLUMN recorded_by,
    DROP COLUMN recorded_at,
    DROP COLUMN state,
    DROP COLUMN review_comment;

-- Finds the rows of a key in order, and the latest of them in a given state through the batch,
-- from the index alone.
CREATE INDEX actual_revisions_key
    ON actual_revisions (indicator_id, fiscal_year, body_id, id, batch_id);
