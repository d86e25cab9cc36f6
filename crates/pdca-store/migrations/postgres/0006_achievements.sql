-- Achievements (成果) and the secretariat's decisions on possible duplicates (PostgreSQL). The
-- SQLite migration of the same number mirrors this one; change both together.
--
-- Nothing here is ever updated or deleted. An achievement's identity is a row of
-- `achievements`; every change to it (an edit, a step of the approval flow) is a new row of
-- `achievement_revisions` with the next version, holding every field again with who, when and
-- the state, so the history always says who changed what from what to what. The current
-- revision of an achievement is its highest version.

-- An achievement's identity: ids are handed out here once and never reused.
CREATE TABLE achievements (
    id         BIGSERIAL PRIMARY KEY,
    plan_id    TEXT    NOT NULL,
    -- RFC 3339, UTC.
    created_at TEXT    NOT NULL
);
-- A plan's achievements; also answers "does this plan have any" from the index alone.
CREATE INDEX achievements_plan ON achievements (plan_id, id);

CREATE TABLE achievement_revisions (
    id             BIGSERIAL PRIMARY KEY,
    plan_id        TEXT    NOT NULL,
    achievement_id BIGINT  NOT NULL REFERENCES achievements (id),
    -- 1 for the first revision, then 2, 3, …: what an edit must name (optimistic concurrency).
    version        BIGINT  NOT NULL CHECK (version >= 1),
    indicator_id   TEXT    NOT NULL,
    fiscal_year    INTEGER NOT NULL CHECK (fiscal_year BETWEEN 1900 AND 2200),
    body_id        TEXT    NOT NULL,
    -- 課題番号
    project_code   TEXT,
    -- 成果名・品目名
    title          TEXT    NOT NULL,
    -- 実施機関
    institution    TEXT,
    -- YYYY-MM-DD
    achieved_on    TEXT,
    -- 区分: a JSON array of strings.
    tags           TEXT    NOT NULL,
    -- 公開可否, 顕著な成果の候補: 0 or 1.
    public         INTEGER NOT NULL CHECK (public IN (0, 1)),
    notable        INTEGER NOT NULL CHECK (notable IN (0, 1)),
    url            TEXT,
    note           TEXT,
    -- Where this revision stands in the approval flow (pdca_core::access::ActualState).
    state          TEXT    NOT NULL
        CHECK (state = 'approved' OR state = 'draft' OR state = 'submitted'
               OR state = 'returned' OR state = 'locked'),
    recorded_by    TEXT    NOT NULL,
    -- RFC 3339, UTC.
    recorded_at    TEXT    NOT NULL,
    -- The reviewer's comment given with this step (as when an achievement is returned).
    comment        TEXT,
    -- Two writers that both read version n cannot both write version n + 1.
    UNIQUE (achievement_id, version)
);
-- A plan's revisions, each achievement's in version order.
CREATE INDEX achievement_revisions_plan
    ON achievement_revisions (plan_id, achievement_id, version);

-- The secretariat's decisions on possible duplicate pairs (a < b). The current decision on a
-- pair is its row with the highest id; earlier ones stay as its history.
CREATE TABLE duplicate_decisions (
    id         BIGSERIAL PRIMARY KEY,
    plan_id    TEXT    NOT NULL,
    a          BIGINT  NOT NULL REFERENCES achievements (id),
    b          BIGINT  NOT NULL REFERENCES achievements (id),
    decision   TEXT    NOT NULL CHECK (decision = 'same' OR decision = 'distinct'),
    -- With 'same': the report that stands, one of the pair.
    kept       BIGINT,
    reason     TEXT    NOT NULL,
    decided_by TEXT    NOT NULL,
    -- RFC 3339, UTC.
    decided_at TEXT    NOT NULL,
    CHECK (a < b),
    CHECK ((decision = 'same') = (kept IS NOT NULL)),
    CHECK (kept IS NULL OR kept = a OR kept = b)
);
CREATE INDEX duplicate_decisions_plan ON duplicate_decisions (plan_id, a, b, id);

-- Commits to these tables notify `pdca_changes` as migration 5's tables do, so that what a
-- `pdca serve` process keeps in memory is read again (`pdca-store/src/changes.rs`).
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON achievements
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON achievement_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
CREATE TRIGGER pdca_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON duplicate_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION pdca_notify_change();
