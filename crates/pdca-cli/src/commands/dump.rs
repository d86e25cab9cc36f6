//! `pdca export` and `pdca import`: the whole database as a directory of files, and back into
//! an empty database, on SQLite or PostgreSQL (see `pdca_store::Dump`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use pdca_store::Dump;

use super::Session;
use crate::progress::Steps;
use crate::table::{Align, render};

pub async fn export(session: &Session, output: &Path) -> anyhow::Result<ExitCode> {
    let steps = Steps::start("データベースを読んでいます");
    let dump = session
        .store
        .export()
        .await
        .context("データベースを読めません")?;
    steps.step("ファイルに書き出しています");
    dump.write_dir(output)?;
    drop(steps);
    println!(
        "データベース（{}）を {} に書き出しました（スキーマの版 {}）",
        session.store.backend(),
        output.display(),
        dump.schema_version()
    );
    print_counts(&dump);
    println!("ブラウザのセッションとサインイン失敗の記録は書き出していません。");
    Ok(ExitCode::SUCCESS)
}

pub async fn import(session: &Session, dir: &Path) -> anyhow::Result<ExitCode> {
    let steps = Steps::start("ファイルを読んでいます");
    let dump = Dump::read_dir(dir)?;
    steps.step("データベースに書き込んでいます");
    session
        .store
        .import(&dump)
        .await
        .with_context(|| format!("{} を読み込めません", dir.display()))?;
    drop(steps);
    println!(
        "{} をデータベース（{}）に読み込みました（スキーマの版 {}）",
        dir.display(),
        session.store.backend(),
        dump.schema_version()
    );
    print_counts(&dump);
    Ok(ExitCode::SUCCESS)
}

/// Every table with its row count, and the total.
fn print_counts(dump: &Dump) {
    let counts = dump.row_counts();
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let mut rows: Vec<Vec<String>> = counts
        .iter()
        .map(|(table, n)| vec![(*table).to_owned(), n.to_string()])
        .collect();
    rows.push(vec!["計".to_owned(), total.to_string()]);
    print!(
        "{}",
        render(&["表", "行数"], &[Align::Left, Align::Right], &rows)
    );
}
