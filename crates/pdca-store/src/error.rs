//! The store's one error type; its messages are written for the person running pdca.

use crate::actuals::{ChangedValue, StoredActual};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A plan, indicator, body or assignment named by the caller does not exist.
    #[error("{0}が見つかりません")]
    NotFound(String),
    /// Someone else recorded the value after the caller read it (optimistic concurrency).
    #[error(
        "この実績は読み込んだ後に更新されています（読み込んだ版: {}、最新の版: {}）。最新の値を確認してから入力し直してください",
        version_text(*expected),
        version_text(current.as_ref().map(|c| c.id))
    )]
    Conflict {
        /// The version the caller read, `None` for "no value yet".
        expected: Option<i64>,
        /// The value now current, `None` if there is none.
        current: Option<Box<StoredActual>>,
    },
    /// Someone else changed the achievement after the caller read it (optimistic concurrency):
    /// nothing was written.
    #[error(
        "成果 {id} は読み込んだ後に更新されています（読み込んだ版: {}、最新の版: {current}）。最新の内容を確認してから入力し直してください",
        version_text(*expected)
    )]
    AchievementChanged {
        /// The achievement.
        id: i64,
        /// The version the caller read, `None` when it named none.
        expected: Option<i64>,
        /// The version now current.
        current: i64,
    },
    /// Values of a conditional batch were recorded after the caller read them
    /// (`Store::record_actuals_if_current`): nothing was written. Each with who changed it and
    /// when.
    #[error("{}", changed_text(.0))]
    Changed(Vec<ChangedValue>),
    /// The plan file's revision number is not higher than the latest one saved, and its
    /// content differs from the saved revision with that number.
    #[error(
        "計画「{plan_id}」は版 {latest} まで保存されています。版 {revision} は、保存済みの同じ版と内容が同じでなければ保存できません。計画を変更したときは plan.revision を {} 以上にしてください",
        latest + 1
    )]
    PlanRevisionExists {
        /// The plan's id.
        plan_id: String,
        /// The revision number offered.
        revision: u32,
        /// The latest revision saved.
        latest: u32,
    },
    /// A follow-up rule refused the request (closing with something missing, …).
    #[error(transparent)]
    Round(#[from] pdca_core::follow_up::RoundError),
    /// The request contradicts the plan or the rules of the store.
    #[error("{0}")]
    Invalid(String),
    /// Stored data cannot be read back as what pdca wrote (edited by hand, or a newer schema).
    #[error("保存されたデータが読めません: {0}")]
    Corrupt(String),
    /// The database refused or failed an operation.
    #[error("データベースの操作に失敗しました: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("データベースのスキーマを更新できませんでした: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A plan could not be written as or read from JSON.
    #[error("計画の JSON を読み書きできませんでした: {0}")]
    Json(#[from] serde_json::Error),
    /// A database dump (`Dump`) could not be written or read: the file, and where in it.
    #[error("{}", dump_problem(file, *line, key.as_deref(), reason))]
    Dump {
        /// The file (or directory) concerned.
        file: String,
        /// The line, counting from 1, for a table file.
        line: Option<usize>,
        /// The key (column) or manifest entry concerned.
        key: Option<String>,
        /// What is wrong.
        reason: String,
    },
    /// An import was offered a database that already holds data.
    #[error(
        "インポート先のデータベースは空ではありません（{}）。インポートは空のデータベースにだけできます",
        tables.iter().map(|(t, n)| format!("{t}: {n}行")).collect::<Vec<_>>().join("、")
    )]
    NotEmpty {
        /// The tables holding rows, with their row counts.
        tables: Vec<(String, i64)>,
    },
    /// The database URL or path is not one pdca can open.
    #[error("データベースの指定「{url}」は使えません: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
}

fn dump_problem(file: &str, line: Option<usize>, key: Option<&str>, reason: &str) -> String {
    let mut text = format!("ダンプ {file}");
    if let Some(line) = line {
        text.push_str(&format!(" の {line} 行目"));
    }
    if let Some(key) = key {
        text.push_str(&format!("「{key}」"));
    }
    text.push_str(": ");
    text.push_str(reason);
    text
}

fn version_text(version: Option<i64>) -> String {
    version.map_or_else(|| "なし".to_owned(), |v| v.to_string())
}

/// How many changed values the message of [`StoreError::Changed`] names; the rest are counted.
const CHANGED_NAMED: usize = 20;

fn changed_text(changed: &[ChangedValue]) -> String {
    let mut text = format!(
        "読み込んだ後に{}件の実績が更新されたため、何も保存していません。最新の値を確認してからやり直してください:",
        changed.len()
    );
    for c in changed.iter().take(CHANGED_NAMED) {
        text.push_str(&format!(
            " 指標「{}」{}・{}（読み込んだ版: {}",
            c.indicator,
            c.year,
            c.body,
            version_text(c.expected)
        ));
        if let Some(current) = &c.current {
            text.push_str(&format!(
                "、最新の版: {}、更新: {} {}",
                current.id, current.recorded_by, current.recorded_at
            ));
        }
        text.push('）');
    }
    if changed.len() > CHANGED_NAMED {
        text.push_str(&format!(" ほか{}件", changed.len() - CHANGED_NAMED));
    }
    text
}
