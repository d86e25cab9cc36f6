-- The follow-up cycle (SQLite): rounds, committee ratings, the rounds' items and their links,
-- meetings and their materials. The PostgreSQL migration of the same number mirrors this one;
-- change both together. Every change is also written to the audit log with old and new values.

-- One plan's follow-up of one result fiscal year (pdca_core::follow_up::FollowUpRound).
CREATE TABLE follow_up_rounds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     TEXT    NOT NULL,
    fiscal_year INTEGER NOT NULL,
    state       TEXT    NOT NULL
        CHECK (state IN ('collecting', 'meeting_1', 'meeting_2', 'closed')),
    -- YYYY-MM-DD.
    deadline    TEXT    NOT NULL,
    opened_by   TEXT    NOT NULL,
    -- RFC 3339, UTC.
    opened_at   TEXT    NOT NULL,
    UNIQUE (plan_id, fiscal_year)
);

-- The committee's current rating of an indicator in a round (its history is in the audit log).
CREATE TABLE round_ratings (
    round_id     INTEGER NOT NULL REFERENCES follow_up_rounds (id),
    indicator_id TEXT    NOT NULL,
    rating       TEXT    NOT NULL CHECK (rating IN ('A', 'B', 'N')),
    reason       TEXT,
    issue        TEXT,
    solution     TEXT,
    recorded_by  TEXT    NOT NULL,
    recorded_at  TEXT    NOT NULL,
    PRIMARY KEY (round_id, indicator_id)
);

-- Notable results, priority items, opinions, bodies' priority measures, policy clauses, clause
-- statuses and revision proposals (pdca_core::follow_up::ItemKind).
CREATE TABLE round_items (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id      INTEGER NOT NULL REFERENCES follow_up_rounds (id),
    kind          TEXT    NOT NULL,
    title         TEXT,
    body_text     TEXT    NOT NULL,
    points        TEXT,
    body_id       TEXT,
    budget        TEXT,
    meeting_id    INTEGER,
    plan_revision INTEGER,
    -- 0 or 1.
    reflected     INTEGER NOT NULL DEFAULT 0 CHECK (reflected IN (0, 1)),
    author        TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX round_items_round ON round_items (round_id, id);

-- What an item is about, reflects or answers: a project, an indicator or another item.
CREATE TABLE round_item_links (
    item_id   INTEGER NOT NULL REFERENCES round_items (id),
    link_kind TEXT    NOT NULL CHECK (link_kind IN ('project', 'indicator', 'item')),
    target_id TEXT    NOT NULL,
    PRIMARY KEY (item_id, link_kind, target_id)
);
CREATE INDEX round_item_links_target ON round_item_links (link_kind, target_id);

-- Meetings of the committee.
CREATE TABLE meetings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     TEXT    NOT NULL,
    fiscal_year INTEGER,
    committee   TEXT    NOT NULL,
    number      INTEGER NOT NULL,
    kind        INTEGER NOT NULL CHECK (kind IN (1, 2)),
    -- YYYY-MM-DD.
    date        TEXT    NOT NULL,
    -- One agenda item per line.
    agenda      TEXT    NOT NULL,
    minutes     TEXT,
    UNIQUE (plan_id, committee, number)
);

-- A meeting's materials in order (資料1, 資料2-1, 参考資料4), with an optional file.
CREATE TABLE meeting_materials (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    position   INTEGER NOT NULL,
    label      TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    file_name  TEXT,
    content    BLOB,
    PRIMARY KEY (meeting_id, position),
    UNIQUE (meeting_id, label)
);
