//! A whole database as a directory of files, and back (`pdca export`, `pdca import`): the way to
//! move a deployment from SQLite to PostgreSQL, or back, or to another machine.
//!
//! A dump is one JSON Lines file per table (`<table>.jsonl`: one JSON object a row, its keys the
//! table's column names in schema order, its rows in primary-key order, every line ending in a
//! newline) and `manifest.json` (the format and its version, the schema version — the number of
//! the latest migration — and every table with its row count). Integers are JSON integers,
//! floats JSON numbers that read back bit for bit, text JSON strings, blobs (the files of
//! meeting materials) base64 strings (standard alphabet, padded), NULL `null`. Nothing in a
//! dump depends on the database that wrote it, so a database exported, imported into another
//! (SQLite or PostgreSQL) and exported again gives the same bytes.
//!
//! Not exported: browser sessions and the sign-in failure counters (`sessions`,
//! `sign_in_failures`). Both are short-lived; after a move everyone signs in again. Id sequences
//! are not exported either: after an import, new ids continue after the highest imported id.
//!
//! An import goes only into an empty database (no row in any table a dump holds) of the same
//! schema version, in one transaction: everything or nothing. A dump written before migrations
//! that only added tables (migration 6: achievements) is read as of the latest version, those
//! tables empty, so it can still be imported. It writes no audit entry, so that
//! the imported database is the exported one.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row, Transaction};

use crate::{Backend, Store, StoreError, migrations, nullable_real, rollback};

/// What `manifest.json` names as its format.
const FORMAT: &str = "pdca-dump";
/// The version of the dump format this build writes and reads.
pub const DUMP_FORMAT_VERSION: u32 = 1;
/// The manifest's file name.
const MANIFEST: &str = "manifest.json";
/// At most this many parameters in one INSERT of an import.
const PARAMETERS_PER_STATEMENT: usize = 4000;

/// How a column's values are read, written and bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// INTEGER / BIGINT: a JSON integer.
    Integer,
    /// REAL / DOUBLE PRECISION: a JSON number.
    Real,
    /// TEXT: a JSON string.
    Text,
    /// BLOB / BYTEA: a base64 JSON string.
    Blob,
}

/// One column of an exported table.
#[derive(Debug)]
struct Column {
    name: &'static str,
    kind: Kind,
    nullable: bool,
}

const fn int(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Integer,
        nullable: false,
    }
}

const fn int_or_null(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Integer,
        nullable: true,
    }
}

const fn real_or_null(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Real,
        nullable: true,
    }
}

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
        nullable: false,
    }
}

const fn text_or_null(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Text,
        nullable: true,
    }
}

const fn blob_or_null(name: &'static str) -> Column {
    Column {
        name,
        kind: Kind::Blob,
        nullable: true,
    }
}

/// One exported table.
#[derive(Debug)]
struct Table {
    name: &'static str,
    /// Every column, in the order of the SQLite schema.
    columns: &'static [Column],
    /// The primary key is the first this many columns.
    key_columns: usize,
    /// The table's key is an `id` the database hands out (AUTOINCREMENT, BIGSERIAL).
    serial: bool,
}

/// Every table a dump holds, in an order that inserts each row after the rows it refers to.
/// Keep this in step with the migrations: a new table or column goes here too.
const TABLES: &[Table] = &[
    Table {
        name: "plan_versions",
        columns: &[
            text("plan_id"),
            int("revision"),
            text("name"),
            int("start_fy"),
            int("end_fy"),
            int("effective_from"),
            text("document"),
            text_or_null("source"),
            text("saved_at"),
            text("saved_by"),
        ],
        key_columns: 2,
        serial: false,
    },
    Table {
        name: "assignments",
        columns: &[
            text("plan_id"),
            text("indicator_id"),
            text("body_id"),
            real_or_null("share"),
        ],
        key_columns: 3,
        serial: false,
    },
    Table {
        name: "audit_log",
        columns: &[
            int("id"),
            text("at"),
            text("actor"),
            text("action"),
            text("subject"),
            text_or_null("old_value"),
            text_or_null("new_value"),
            text_or_null("note"),
        ],
        key_columns: 1,
        serial: true,
    },
    Table {
        name: "users",
        columns: &[
            int("id"),
            text("name"),
            text("role"),
            text_or_null("body_id"),
            text("password_hash"),
            int("must_change_password"),
            int("disabled"),
            text("created_at"),
        ],
        key_columns: 1,
        serial: true,
    },
    Table {
        name: "api_tokens",
        columns: &[
            int("id"),
            int("user_id"),
            text("name"),
            text("secret_hash"),
            text("created_at"),
            text_or_null("revoked_at"),
            text_or_null("last_used_at"),
        ],
        key_columns: 1,
        serial: true,
    },
    Table {
        name: "actual_batches",
        columns: &[
            int("id"),
            text("plan_id"),
            text("recorded_by"),
            text("recorded_at"),
            text("state"),
            text_or_null("review_comment"),
        ],
        key_columns: 1,
        serial: true,
    },
    Table {
        name: "actual_revisions",
        columns: &[
            int("id"),
            int("batch_id"),
            text("indicator_id"),
            int("fiscal_year"),
            text("body_id"),
            real_or_null("value"),
            real_or_null("numerator"),
            real_or_null("denominator"),
            text_or_null("narrative"),
            text_or_null("note"),
            text_or_null("source"),
        ],
        key_columns: 1,
        serial: true,
    },
    Table {
        name: "follow_up_rounds",
        columns: &[
            int("id"),
            text("plan_id"),
            int("fiscal_year"),
            text("state"),
            text("deadline"),
            text("opened_by"),
            text("opened_at"),
        ],
        key_columns: 1,
        serial: true,
    },
    Table {
        name: "round_ratings",
        columns: &[
            int("round_id"),
            text("indicator_id"),
            text("rating"),
            text_or_null("reason"),
            text_or_null("issue"),
            text_or_null("solution"),
            text("recorded_by"),
            text("recorded_at"),
        ],
        key_columns: 2,
        serial: false,
    },
    Table {
        name: "meetings",
        columns: &[
            int("id"),
            text("plan_id"),
            int_or_null("fiscal_year"),
            text("committee"),
            int("number"),
            int("kind"),
            text("date"),
            text("agenda"),
            text_or_null("minutes"),
        ],
        key_columns: 1,
        serial: true,
    },
    Table {
        name: "round_items",
        columns: &[
            int("id"),
            int("round_id"),
            text("kind"),
            text_or_null("title"),
            text("body_text"),
            text_or_null("points"),
            text_or_null("body_id"),
            text_or_null("budget"),
            int_or_null("meeting_id"),
            int_or_null("plan_revision"),
            int("reflected"),
            text("author"),
            text("created_at"),
        ],
        key_columns: 1,
        serial: true,
    },
    Table {
        name: "round_item_links",
        columns: &[int("item_id"), text("link_kind"), text("target_id")],
        key_columns: 3,
        serial: false,
    },
    Table {
        name: "meeting_materials",
        columns: &[
            int("meeting_id"),
            int("position"),
            text("label"),
            text("title"),
            text_or_null("file_name"),
            blob_or_null("content"),
        ],
        key_columns: 2,
        serial: false,
    },
    Table {
        name: "achievements",
        columns: &[int("id"), text("plan_id"), text("created_at")],
        key_columns: 1,
        serial: true,
    },
    Table {
        name: "achievement_revisions",
        columns: &[
            int("id"),
            text("plan_id"),
            int("achievement_id"),
            int("version"),
            text("indicator_id"),
            int("fiscal_year"),
            text("body_id"),
            text_or_null("project_code"),
            text("title"),
            text_or_null("institution"),
            text_or_null("achieved_on"),
            text("tags"),
            int("public"),
            int("notable"),
            text_or_null("url"),
            text_or_null("note"),
            text("state"),
            text("recorded_by"),
            text("recorded_at"),
            text_or_null("comment"),
        ],
        key_columns: 1,
        serial: true,
    },
    Table {
        name: "duplicate_decisions",
        columns: &[
            int("id"),
            text("plan_id"),
            int("a"),
            int("b"),
            text("decision"),
            int_or_null("kept"),
            text("reason"),
            text("decided_by"),
            text("decided_at"),
        ],
        key_columns: 1,
        serial: true,
    },
];

/// The tables of [`TABLES`] added by a migration of `migrations::ONLY_NEW_TABLES`, with its
/// number. A dump written before that migration has none of them; [`Dump::read_dir`] reads it
/// with those tables empty, as of the latest schema version (see `migrations::dump_readable_from`).
const ADDED_TABLES: &[(&str, i64)] = &[
    ("achievements", 6),
    ("achievement_revisions", 6),
    ("duplicate_decisions", 6),
];

/// Whether a dump of schema version `version` holds `table`.
fn holds_table(version: i64, table: &str) -> bool {
    ADDED_TABLES
        .iter()
        .all(|&(name, added)| name != table || added <= version)
}

/// One value of one row.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl PartialEq for Cell {
    /// Floats compare bit for bit: a dump must come back exactly.
    fn eq(&self, other: &Cell) -> bool {
        match (self, other) {
            (Cell::Null, Cell::Null) => true,
            (Cell::Integer(a), Cell::Integer(b)) => a == b,
            (Cell::Real(a), Cell::Real(b)) => a.to_bits() == b.to_bits(),
            (Cell::Text(a), Cell::Text(b)) => a == b,
            (Cell::Blob(a), Cell::Blob(b)) => a == b,
            _ => false,
        }
    }
}

impl Cell {
    /// The order of primary keys: integers by value, text by bytes (as SQLite's BINARY
    /// collation, whatever the collation of a PostgreSQL database).
    fn key_order(&self, other: &Cell) -> Ordering {
        fn rank(cell: &Cell) -> u8 {
            match cell {
                Cell::Null => 0,
                Cell::Integer(_) => 1,
                Cell::Real(_) => 2,
                Cell::Text(_) => 3,
                Cell::Blob(_) => 4,
            }
        }
        match (self, other) {
            (Cell::Integer(a), Cell::Integer(b)) => a.cmp(b),
            (Cell::Real(a), Cell::Real(b)) => a.total_cmp(b),
            (Cell::Text(a), Cell::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Cell::Blob(a), Cell::Blob(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

/// The primary key order of two rows of `table`.
fn key_order(table: &Table, a: &[Cell], b: &[Cell]) -> Ordering {
    a.iter()
        .zip(b)
        .take(table.key_columns)
        .map(|(a, b)| a.key_order(b))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// A whole database: every row of every table that is exported, as [`Store::export`] read it
/// or [`Dump::read_dir`] loaded it. Two dumps are equal when their files would be the same.
#[derive(Debug, Clone)]
pub struct Dump {
    schema_version: i64,
    /// The rows of each of [`TABLES`], in the same order, each in primary-key order.
    tables: Vec<Vec<Vec<Cell>>>,
    /// The directory it was read from, to name a table's file when the database refuses a row.
    dir: Option<std::path::PathBuf>,
}

impl PartialEq for Dump {
    /// Where a dump was read from is not part of it.
    fn eq(&self, other: &Dump) -> bool {
        self.schema_version == other.schema_version && self.tables == other.tables
    }
}

/// `manifest.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: String,
    format_version: u32,
    schema_version: i64,
    tables: Vec<ManifestTable>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestTable {
    name: String,
    rows: usize,
}

impl Dump {
    /// The names of the tables a dump holds, in the order they are imported.
    pub fn table_names() -> impl Iterator<Item = &'static str> {
        TABLES.iter().map(|t| t.name)
    }

    /// Every exported table with its column names, in the order of [`Dump::table_names`] and
    /// of the keys of each line.
    pub fn table_columns() -> Vec<(&'static str, Vec<&'static str>)> {
        TABLES
            .iter()
            .map(|t| (t.name, t.columns.iter().map(|c| c.name).collect()))
            .collect()
    }

    /// The tables of the schema a dump leaves out: browser sessions and sign-in failures,
    /// which are short-lived.
    pub const LEFT_OUT: &'static [&'static str] = &["sessions", "sign_in_failures"];

    /// The schema version (the number of the latest migration) of the database exported.
    pub fn schema_version(&self) -> i64 {
        self.schema_version
    }

    /// Every table with its number of rows, in the order of [`Dump::table_names`].
    pub fn row_counts(&self) -> Vec<(&'static str, usize)> {
        TABLES
            .iter()
            .zip(&self.tables)
            .map(|(t, rows)| (t.name, rows.len()))
            .collect()
    }

    /// Writes the dump into `dir`: `manifest.json` and one `<table>.jsonl` a table. `dir` is
    /// created if missing, and refused if it holds anything. The manifest is written last, so
    /// a dump cut short cannot be read back.
    pub fn write_dir(&self, dir: &Path) -> Result<(), StoreError> {
        let dir_error = |reason: String| StoreError::Dump {
            file: dir.display().to_string(),
            line: None,
            key: None,
            reason,
        };
        if dir.exists() {
            let mut entries = std::fs::read_dir(dir)
                .map_err(|e| dir_error(format!("ディレクトリを読めません: {e}")))?;
            if entries.next().is_some() {
                return Err(dir_error(
                    "空ではありません（空のディレクトリか、まだないディレクトリを指定してください）"
                        .to_owned(),
                ));
            }
        } else {
            std::fs::create_dir_all(dir)
                .map_err(|e| dir_error(format!("ディレクトリを作れません: {e}")))?;
        }
        for (table, rows) in TABLES.iter().zip(&self.tables) {
            let mut text = String::new();
            for row in rows {
                render_row(table, row, &mut text)?;
            }
            write_file(&dir.join(format!("{}.jsonl", table.name)), text.as_bytes())?;
        }
        let manifest = Manifest {
            format: FORMAT.to_owned(),
            format_version: DUMP_FORMAT_VERSION,
            schema_version: self.schema_version,
            tables: self
                .row_counts()
                .into_iter()
                .map(|(name, rows)| ManifestTable {
                    name: name.to_owned(),
                    rows,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&manifest)?;
        text.push('\n');
        write_file(&dir.join(MANIFEST), text.as_bytes())
    }

    /// Reads a dump [`Dump::write_dir`] wrote. Every problem is reported with the file, and in
    /// a table file with the line and the key.
    pub fn read_dir(dir: &Path) -> Result<Dump, StoreError> {
        let manifest_path = dir.join(MANIFEST);
        let manifest_file = manifest_path.display().to_string();
        let manifest_error =
            |line: Option<usize>, key: Option<&str>, reason: String| StoreError::Dump {
                file: manifest_file.clone(),
                line,
                key: key.map(str::to_owned),
                reason,
            };
        let text = read_file(&manifest_path)?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| manifest_error(Some(e.line()), None, format!("読めません: {e}")))?;
        if manifest.format != FORMAT {
            return Err(manifest_error(
                None,
                Some("format"),
                format!("pdca のダンプではありません（「{}」）", manifest.format),
            ));
        }
        if manifest.format_version != DUMP_FORMAT_VERSION {
            return Err(manifest_error(
                None,
                Some("format_version"),
                format!(
                    "形式の版 {} は読めません（この pdca が読めるのは版 {DUMP_FORMAT_VERSION}）",
                    manifest.format_version
                ),
            ));
        }
        let latest = migrations::latest_version();
        // A dump older than tables this build added is read with those tables empty; any
        // other schema version is read as it is and refused by `Store::import`.
        let upgrade = manifest.schema_version != latest
            && migrations::dump_readable_from(manifest.schema_version);
        let held = |table: &Table| !upgrade || holds_table(manifest.schema_version, table.name);
        let names: Vec<&str> = manifest.tables.iter().map(|t| t.name.as_str()).collect();
        let expected: Vec<&str> = TABLES.iter().filter(|t| held(t)).map(|t| t.name).collect();
        if names != expected {
            return Err(manifest_error(
                None,
                Some("tables"),
                format!(
                    "表の一覧が違います（{}、期待するのは {}）",
                    names.join(", "),
                    expected.join(", ")
                ),
            ));
        }
        let mut tables = Vec::with_capacity(TABLES.len());
        let mut listed = manifest.tables.iter();
        for table in TABLES {
            if !held(table) {
                tables.push(Vec::new());
                continue;
            }
            let Some(listed) = listed.next() else {
                break;
            };
            let path = dir.join(format!("{}.jsonl", table.name));
            let rows = read_table(table, &path)?;
            if rows.len() != listed.rows {
                return Err(StoreError::Dump {
                    file: path.display().to_string(),
                    line: None,
                    key: None,
                    reason: format!(
                        "{} 行ありますが、{MANIFEST} では {} 行です",
                        rows.len(),
                        listed.rows
                    ),
                });
            }
            tables.push(rows);
        }
        Ok(Dump {
            schema_version: if upgrade {
                latest
            } else {
                manifest.schema_version
            },
            tables,
            dir: Some(dir.to_path_buf()),
        })
    }
}

fn write_file(path: &Path, contents: &[u8]) -> Result<(), StoreError> {
    std::fs::write(path, contents).map_err(|e| StoreError::Dump {
        file: path.display().to_string(),
        line: None,
        key: None,
        reason: format!("書き込めません: {e}"),
    })
}

fn read_file(path: &Path) -> Result<String, StoreError> {
    let error = |reason: String| StoreError::Dump {
        file: path.display().to_string(),
        line: None,
        key: None,
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| error(format!("読めません: {e}")))?;
    String::from_utf8(bytes).map_err(|e| error(format!("UTF-8 ではありません: {e}")))
}

/// Appends one row of `table` as a line of JSON.
fn render_row(table: &Table, row: &[Cell], out: &mut String) -> Result<(), StoreError> {
    out.push('{');
    for (i, (column, cell)) in table.columns.iter().zip(row).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(column.name)?);
        out.push(':');
        match cell {
            Cell::Null => out.push_str("null"),
            // Writing to a String cannot fail.
            Cell::Integer(v) => {
                let _ = write!(out, "{v}");
            }
            Cell::Real(v) => {
                if !v.is_finite() {
                    return Err(StoreError::Corrupt(format!(
                        "{}.{} に数でない値 {v} があります",
                        table.name, column.name
                    )));
                }
                out.push_str(&serde_json::to_string(v)?);
            }
            Cell::Text(s) => out.push_str(&serde_json::to_string(s)?),
            Cell::Blob(b) => out.push_str(&serde_json::to_string(&BASE64.encode(b))?),
        }
    }
    out.push_str("}\n");
    Ok(())
}

/// Reads a table file: one row a line, in primary-key order.
fn read_table(table: &Table, path: &Path) -> Result<Vec<Vec<Cell>>, StoreError> {
    let text = read_file(path)?;
    parse_table(table, &path.display().to_string(), &text)
}

impl Dump {
    /// Reads the text of a table file as [`Dump::read_dir`] does, without a directory or a
    /// database: the number of rows, or the error naming `file`, the line and the key. For the
    /// fuzz target `dump` and its replay test; `table` indexes [`Dump::table_names`] (modulo).
    #[doc(hidden)]
    pub fn parse_table_text(table: usize, file: &str, text: &str) -> Result<usize, StoreError> {
        parse_table(&TABLES[table % TABLES.len()], file, text).map(|rows| rows.len())
    }
}

/// The rows of `text`, the contents of the table file `file`.
fn parse_table(table: &Table, file: &str, text: &str) -> Result<Vec<Vec<Cell>>, StoreError> {
    let file = file.to_owned();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        if line.is_empty() && lines.peek().is_none() {
            break;
        }
        let error = |key: Option<&str>, reason: String| StoreError::Dump {
            file: file.clone(),
            line: Some(number),
            key: key.map(str::to_owned),
            reason,
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        if lines.peek().is_none() {
            return Err(error(None, "行が改行で終わっていません".to_owned()));
        }
        let row = parse_row(table, line).map_err(|(key, reason)| error(key, reason))?;
        if let Some(previous) = rows.last()
            && key_order(table, previous, &row).is_ge()
        {
            return Err(error(
                None,
                "主キーの順に並んでいません（前の行と同じか、前の行より前のキーです）".to_owned(),
            ));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// One line of a table file as a row, or the key and the reason it cannot be read.
fn parse_row(table: &Table, line: &str) -> Result<Vec<Cell>, (Option<&'static str>, String)> {
    let object: serde_json::Map<String, Value> = serde_json::from_str(line)
        .map_err(|e| (None, format!("JSON のオブジェクトとして読めません（{e}）")))?;
    if let Some(unknown) = object
        .keys()
        .find(|k| !table.columns.iter().any(|c| c.name == k.as_str()))
    {
        return Err((
            None,
            format!("{} にない列「{unknown}」があります", table.name),
        ));
    }
    table
        .columns
        .iter()
        .map(|column| {
            let key = Some(column.name);
            let value = object
                .get(column.name)
                .ok_or_else(|| (key, "この列がありません".to_owned()))?;
            let cell = match (value, column.kind) {
                (Value::Null, _) if column.nullable => Cell::Null,
                (Value::Null, _) => return Err((key, "null にはできません".to_owned())),
                (Value::Number(n), Kind::Integer) => n
                    .as_i64()
                    .map(Cell::Integer)
                    .ok_or_else(|| (key, format!("整数ではありません（{n}）")))?,
                (Value::Number(n), Kind::Real) => n
                    .as_f64()
                    .filter(|v| v.is_finite())
                    .map(Cell::Real)
                    .ok_or_else(|| (key, format!("数として読めません（{n}）")))?,
                // PostgreSQL cannot store NUL in text; refused here, naming the line and key,
                // rather than by the database halfway through an import.
                (Value::String(s), Kind::Text) if s.contains('\0') => {
                    return Err((
                        key,
                        "文字列に NUL（U+0000）が含まれています。データベースに保存できない文字です（削除してからインポートしてください）".to_owned(),
                    ));
                }
                (Value::String(s), Kind::Text) => Cell::Text(s.clone()),
                (Value::String(s), Kind::Blob) => BASE64
                    .decode(s)
                    .map(Cell::Blob)
                    .map_err(|e| (key, format!("base64 として読めません（{e}）")))?,
                (other, kind) => {
                    let expected = match kind {
                        Kind::Integer => "整数",
                        Kind::Real => "数",
                        Kind::Text => "文字列",
                        Kind::Blob => "base64 の文字列",
                    };
                    return Err((key, format!("{expected}ではありません（{other}）")));
                }
            };
            Ok(cell)
        })
        .collect()
}

/// Reads column `at` of `row` as `column` says.
fn read_cell(table: &Table, column: &Column, row: &AnyRow, at: usize) -> Result<Cell, StoreError> {
    let cell = match column.kind {
        Kind::Integer => row
            .try_get::<Option<i64>, _>(at)?
            .map_or(Cell::Null, Cell::Integer),
        Kind::Real => match row.try_get::<Option<f64>, _>(at)? {
            Some(v) if !v.is_finite() => {
                return Err(StoreError::Corrupt(format!(
                    "{}.{} に数でない値 {v} があります",
                    table.name, column.name
                )));
            }
            v => v.map_or(Cell::Null, Cell::Real),
        },
        Kind::Text => row
            .try_get::<Option<String>, _>(at)?
            .map_or(Cell::Null, Cell::Text),
        Kind::Blob => row
            .try_get::<Option<Vec<u8>>, _>(at)?
            .map_or(Cell::Null, Cell::Blob),
    };
    if cell == Cell::Null && !column.nullable {
        return Err(StoreError::Corrupt(format!(
            "{}.{} が NULL です",
            table.name, column.name
        )));
    }
    Ok(cell)
}

/// The comma-separated column names of `table`.
fn column_list(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `INSERT INTO table (…) VALUES (…), …` for `rows` rows, with PostgreSQL-style placeholders.
/// A float goes through `NULLIF($n, 'NaN')` (see [`nullable_real`]).
fn insert_sql(table: &Table, rows: usize) -> String {
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        table.name,
        column_list(table)
    );
    let mut parameter = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for (i, column) in table.columns.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            parameter += 1;
            // Writing to a String cannot fail.
            let _ = match column.kind {
                Kind::Real => write!(sql, "NULLIF(${parameter}, 'NaN')"),
                _ => write!(sql, "${parameter}"),
            };
        }
        sql.push(')');
    }
    sql
}

impl Store {
    /// Reads every exported table (see the module documentation) in one consistent snapshot.
    pub async fn export(&self) -> Result<Dump, StoreError> {
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        };
        let mut tables = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let key = table.columns[..table.key_columns]
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
                .join(", ");
            // Only the constant names of `TABLES` go into the statement.
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {key}",
                column_list(table),
                table.name
            );
            let mut rows = Vec::new();
            let mut stream = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *tx);
            while let Some(row) = stream.try_next().await? {
                let cells = table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(at, column)| read_cell(table, column, &row, at))
                    .collect::<Result<Vec<_>, _>>()?;
                rows.push(cells);
            }
            drop(stream);
            // PostgreSQL orders text by the database's collation; a dump orders it by bytes.
            rows.sort_by(|a, b| key_order(table, a, b));
            tables.push(rows);
        }
        tx.commit().await?;
        Ok(Dump {
            schema_version: migrations::latest_version(),
            tables,
            dir: None,
        })
    }

    /// Writes `dump` into this database, which must be empty (no row in any table a dump
    /// holds) and have the dump's schema version. Every row keeps its ids; all or nothing. On
    /// PostgreSQL every id sequence then continues after the highest imported id (SQLite's
    /// AUTOINCREMENT follows the inserted ids by itself).
    pub async fn import(&self, dump: &Dump) -> Result<(), StoreError> {
        let version = migrations::latest_version();
        if dump.schema_version != version {
            return Err(StoreError::Dump {
                file: MANIFEST.to_owned(),
                line: None,
                key: Some("schema_version".to_owned()),
                reason: format!(
                    "ダンプのスキーマの版 {} は、このデータベースの版 {version} と違います（同じ版の pdca で書き出してください）",
                    dump.schema_version
                ),
            });
        }
        let _changing = self.changes.writing();
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                let names = Dump::table_names().collect::<Vec<_>>().join(", ");
                let lock = format!("LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE");
                sqlx::query(AssertSqlSafe(lock)).execute(&mut *tx).await?;
                tx
            }
        };
        let mut occupied = Vec::new();
        for table in TABLES {
            let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {}", table.name);
            let count: i64 = sqlx::query(AssertSqlSafe(sql))
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
            if count > 0 {
                occupied.push((table.name.to_owned(), count));
            }
        }
        if !occupied.is_empty() {
            tx.rollback().await?;
            return Err(StoreError::NotEmpty { tables: occupied });
        }
        for (table, rows) in TABLES.iter().zip(&dump.tables) {
            let per_statement = (PARAMETERS_PER_STATEMENT / table.columns.len()).max(1);
            for (n, chunk) in rows.chunks(per_statement).enumerate() {
                // A savepoint per statement, so that a row the database refuses can be found and
                // named (PostgreSQL aborts the whole transaction on an error otherwise).
                sqlx::query("SAVEPOINT import_rows")
                    .execute(&mut *tx)
                    .await?;
                match insert_rows(table, chunk).execute(&mut *tx).await {
                    Ok(_) => {
                        sqlx::query("RELEASE SAVEPOINT import_rows")
                            .execute(&mut *tx)
                            .await?;
                    }
                    Err(error) => {
                        sqlx::query("ROLLBACK TO SAVEPOINT import_rows")
                            .execute(&mut *tx)
                            .await?;
                        let first = n * per_statement;
                        let refused = refused_row(&mut tx, table, chunk).await?;
                        rollback(tx).await?;
                        let (at, error) = refused.unwrap_or((0, error));
                        return Err(dump.refused(table, chunk, first, at, &error));
                    }
                }
            }
        }
        if self.backend == Backend::Postgres {
            for table in TABLES.iter().filter(|t| t.serial) {
                let name = table.name;
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{name}', 'id'), \
                     COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}"
                );
                sqlx::query(AssertSqlSafe(sql)).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// One `INSERT` of `rows` of `table`, every value bound.
fn insert_rows<'q>(
    table: &Table,
    rows: &'q [Vec<Cell>],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let sql = insert_sql(table, rows.len());
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for row in rows {
        for (column, cell) in table.columns.iter().zip(row) {
            query = match (column.kind, cell) {
                (Kind::Integer, Cell::Integer(v)) => query.bind(*v),
                (Kind::Integer, _) => query.bind(None::<i64>),
                (Kind::Real, Cell::Real(v)) => query.bind(*v),
                (Kind::Real, _) => query.bind(nullable_real(None)),
                (Kind::Text, Cell::Text(v)) => query.bind(v.as_str()),
                (Kind::Text, _) => query.bind(None::<&str>),
                (Kind::Blob, Cell::Blob(v)) => query.bind(v.as_slice()),
                (Kind::Blob, _) => query.bind(None::<&[u8]>),
            };
        }
    }
    query
}

/// After a statement of `rows` was refused: inserts them one at a time, each in a savepoint, and
/// returns the first one the database refuses (its index in `rows`) with the database's error.
/// None when each goes in alone (the refusal came from the rows together).
async fn refused_row(
    tx: &mut Transaction<'static, sqlx::Any>,
    table: &Table,
    rows: &[Vec<Cell>],
) -> Result<Option<(usize, sqlx::Error)>, StoreError> {
    for (at, row) in rows.iter().enumerate() {
        sqlx::query("SAVEPOINT import_row")
            .execute(&mut **tx)
            .await?;
        let one = std::slice::from_ref(row);
        if let Err(error) = insert_rows(table, one).execute(&mut **tx).await {
            return Ok(Some((at, error)));
        }
        sqlx::query("RELEASE SAVEPOINT import_row")
            .execute(&mut **tx)
            .await?;
    }
    Ok(None)
}

impl Dump {
    /// The error for row `at` of `chunk`, whose first row is row `first` of `table`'s file: the
    /// file, the line, the constraint (or the row's key) and the database's reason.
    fn refused(
        &self,
        table: &Table,
        chunk: &[Vec<Cell>],
        first: usize,
        at: usize,
        error: &sqlx::Error,
    ) -> StoreError {
        let name = format!("{}.jsonl", table.name);
        let file = match &self.dir {
            Some(dir) => dir.join(&name).display().to_string(),
            None => name,
        };
        let key_text = chunk.get(at).map_or_else(String::new, |row| {
            table.columns[..table.key_columns]
                .iter()
                .zip(row)
                .map(|(c, cell)| format!("{}={}", c.name, cell_text(cell)))
                .collect::<Vec<_>>()
                .join(", ")
        });
        let (constraint, message) = match error {
            sqlx::Error::Database(db) => {
                (db.constraint().map(str::to_owned), db.message().to_owned())
            }
            other => (None, other.to_string()),
        };
        StoreError::Dump {
            file,
            line: Some(first + at + 1),
            key: constraint.or_else(|| (!key_text.is_empty()).then(|| key_text.clone())),
            reason: format!("データベースがこの行（{key_text}）を受け付けません: {message}"),
        }
    }
}

/// A key cell as a message shows it.
fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Null => "null".to_owned(),
        Cell::Integer(v) => v.to_string(),
        Cell::Real(v) => v.to_string(),
        Cell::Text(t) => format!("「{t}」"),
        Cell::Blob(b) => format!("{} バイト", b.len()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn every_table_starts_with_its_key_and_serial_tables_with_id() {
        for table in TABLES {
            assert!(table.key_columns >= 1 && table.key_columns <= table.columns.len());
            assert_eq!(
                table.serial,
                table.columns[0].name == "id",
                "{}",
                table.name
            );
            assert!(
                table.columns[..table.key_columns]
                    .iter()
                    .all(|c| !c.nullable)
            );
        }
    }

    #[test]
    fn a_row_renders_and_parses_back_exactly() {
        let table = TABLES
            .iter()
            .find(|t| t.name == "actual_revisions")
            .unwrap();
        let row = vec![
            Cell::Integer(7),
            Cell::Integer(3),
            Cell::Text("指標\"1\"\n".to_owned()),
            Cell::Integer(2024),
            Cell::Text("body".to_owned()),
            Cell::Real(0.1 + 0.2),
            Cell::Null,
            Cell::Null,
            Cell::Null,
            Cell::Text("note".to_owned()),
            Cell::Null,
        ];
        let mut line = String::new();
        render_row(table, &row, &mut line).unwrap();
        assert!(line.ends_with("}\n"));
        assert!(line.starts_with("{\"id\":7,\"batch_id\":3,"));
        assert_eq!(parse_row(table, line.trim_end()).unwrap(), row);

        let materials = TABLES
            .iter()
            .find(|t| t.name == "meeting_materials")
            .unwrap();
        let row = vec![
            Cell::Integer(1),
            Cell::Integer(0),
            Cell::Text("資料1".to_owned()),
            Cell::Text("t".to_owned()),
            Cell::Text("a.pdf".to_owned()),
            Cell::Blob(vec![0, 1, 2, 255]),
        ];
        let mut line = String::new();
        render_row(materials, &row, &mut line).unwrap();
        assert!(line.contains("\"content\":\"AAEC/w==\""));
        assert_eq!(parse_row(materials, line.trim_end()).unwrap(), row);
    }

    #[test]
    fn awkward_floats_round_trip_bit_for_bit() {
        let table = TABLES.iter().find(|t| t.name == "assignments").unwrap();
        for value in [
            0.1,
            1.0 / 3.0,
            2.0f64.powi(-1074),
            f64::MAX,
            f64::MIN_POSITIVE,
            9_007_199_254_740_993.0,
            1e300,
            123_456.789_012_345_67,
            2.225_073_858_507_201e-308,
        ] {
            let row = vec![
                Cell::Text("p".to_owned()),
                Cell::Text("i".to_owned()),
                Cell::Text("b".to_owned()),
                Cell::Real(value),
            ];
            let mut line = String::new();
            render_row(table, &row, &mut line).unwrap();
            assert_eq!(parse_row(table, line.trim_end()).unwrap(), row, "{line}");
        }
    }

    #[test]
    fn bad_values_name_their_key() {
        let table = TABLES.iter().find(|t| t.name == "assignments").unwrap();
        let (key, _) = parse_row(
            table,
            r#"{"plan_id":"p","indicator_id":"i","body_id":null,"share":null}"#,
        )
        .unwrap_err();
        assert_eq!(key, Some("body_id"));
        let (key, _) = parse_row(
            table,
            r#"{"plan_id":"p","indicator_id":"i","body_id":"b","share":"x"}"#,
        )
        .unwrap_err();
        assert_eq!(key, Some("share"));
        let (key, _) =
            parse_row(table, r#"{"plan_id":"p","indicator_id":"i","share":1}"#).unwrap_err();
        assert_eq!(key, Some("body_id"));
        assert!(parse_row(table, r#"{"plan_id":"p""#).is_err());
    }
}
