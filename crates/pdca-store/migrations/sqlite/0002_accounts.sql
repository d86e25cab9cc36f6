-- Accounts, sessions, API tokens and the approval of actuals (SQLite). The PostgreSQL migration
-- of the same number mirrors this one; change both together.

-- Where each recorded value stands in the approval flow (pdca_core::access::ActualState).
-- Every transition is a new row, so the history shows every step. Rows recorded before
-- approval existed were taken as final, so they are approved. The CHECK is a chain of ORs with
-- the common state first rather than `state IN (…)`: SQLite evaluates an IN list of constants
-- through a temporary index per row, which made a million-row import a fifth slower.
ALTER TABLE actual_revisions ADD COLUMN state TEXT NOT NULL DEFAULT 'approved'
    CHECK (state = 'approved' OR state = 'draft' OR state = 'submitted' OR state = 'returned'
           OR state = 'locked');
-- The reviewer's comment on the row that returned a value (or on any other step).
ALTER TABLE actual_revisions ADD COLUMN review_comment TEXT NULL;

-- The key index now carries the state too, so that the latest approved row of every key is
-- found from the index alone, as the latest row of every key already was.
DROP INDEX actual_revisions_key;
CREATE INDEX actual_revisions_key
    ON actual_revisions (plan_id, indicator_id, fiscal_year, body_id, id, state);

-- The people who sign in. Passwords are hashed by the caller (argon2 PHC strings); the store
-- never sees a password.
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    name                 TEXT    NOT NULL UNIQUE,
    role                 TEXT    NOT NULL
        CHECK (role IN ('secretariat', 'body', 'committee', 'viewer')),
    -- The reporting body a `body` user reports for; NULL for every other role.
    body_id              TEXT,
    password_hash        TEXT    NOT NULL,
    -- 0 or 1: the user must choose a new password at the next sign-in.
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    -- 0 or 1: a disabled user cannot sign in, and their sessions and tokens stop working.
    disabled             INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    -- RFC 3339, UTC.
    created_at           TEXT    NOT NULL,
    CHECK ((role = 'body') = (body_id IS NOT NULL))
);

-- Signed-in browsers. The cookie holds a random 256-bit id; only its SHA-256 (hex) is kept, so
-- a copy of the database does not let anyone take over a session.
CREATE TABLE sessions (
    id_hash      TEXT    NOT NULL PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    -- Sent back with every form; random per session.
    csrf_token   TEXT    NOT NULL,
    -- RFC 3339, UTC.
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Tokens for the JSON API. The secret ("pdca_" and 64 hex digits) is shown once when created;
-- only its SHA-256 (hex) is kept. Revoked tokens stay, for the record.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT    NOT NULL,
    secret_hash  TEXT    NOT NULL UNIQUE,
    -- RFC 3339, UTC.
    created_at   TEXT    NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed sign-ins by a key the caller chooses (a user name, an address), for rate limiting.
-- `at` is for people; `at_unix_ms` (milliseconds since 1970 UTC) is what "since" compares.
CREATE TABLE sign_in_failures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    at_unix_ms INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at_unix_ms);
