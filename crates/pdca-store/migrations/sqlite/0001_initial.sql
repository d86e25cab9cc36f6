-- pdca schema for SQLite: plan revisions, editable reporting assignments, the audit log and
-- the append-only history of actuals. The PostgreSQL schema in ../postgres mirrors this one;
-- change both together.

-- Every saved revision of a plan. The plan itself (projects, indicators, targets, bodies) is
-- kept whole as JSON in `document`, so the plan format can grow without schema changes; the
-- columns beside it are the few that lists and checks need without parsing the document.
CREATE TABLE plan_versions (
    plan_id        TEXT    NOT NULL,
    revision       INTEGER NOT NULL CHECK (revision >= 1),
    name           TEXT    NOT NULL,
    start_fy       INTEGER NOT NULL,
    end_fy         INTEGER NOT NULL,
    effective_from INTEGER NOT NULL,
    -- serde_json of pdca_core::Plan as saved (assignments as the plan file wrote them).
    document       TEXT    NOT NULL,
    -- The plan file's text, when the plan was saved from a file.
    source         TEXT,
    -- RFC 3339, UTC.
    saved_at       TEXT    NOT NULL,
    saved_by       TEXT    NOT NULL,
    PRIMARY KEY (plan_id, revision),
    CHECK (start_fy <= end_fy)
);

-- Which bodies report which indicator, as edited since the plan was saved. Seeded from the plan
-- when an indicator first appears and applied over every revision's document when a plan is
-- loaded. Rows of indicators a later revision dropped are kept so older revisions still show
-- who reported them.
CREATE TABLE assignments (
    plan_id      TEXT NOT NULL,
    indicator_id TEXT NOT NULL,
    body_id      TEXT NOT NULL,
    -- The part of the target this body carries; NULL when it carries no share of its own.
    share        REAL CHECK (share IS NULL OR share >= 0),
    PRIMARY KEY (plan_id, indicator_id, body_id)
);

-- Who changed what and when: plan saves and every assignment change, with old and new values
-- as JSON text.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    note      TEXT
);

-- Actuals are never updated or deleted: every change is a new row, and the current value of
-- (plan, indicator, year, body) is its row with the highest id. The id therefore doubles as the
-- version the web application compares for optimistic concurrency; AUTOINCREMENT guarantees an
-- id is never handed out twice.
CREATE TABLE actual_revisions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id      TEXT    NOT NULL,
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
    recorded_by  TEXT    NOT NULL,
    -- RFC 3339, UTC.
    recorded_at  TEXT    NOT NULL,
    CHECK ((numerator IS NULL) = (denominator IS NULL)),
    CHECK ((value IS NOT NULL) + (numerator IS NOT NULL) + (narrative IS NOT NULL) = 1)
);

-- Finds the latest row of a key, and a key's history in order, without touching the table.
CREATE INDEX actual_revisions_key
    ON actual_revisions (plan_id, indicator_id, fiscal_year, body_id, id);
