//! The plan workbook on the command line: `pdca plan export --format xlsx` writes it, and
//! `pdca plan validate` / `pdca plan import` read a `.xlsx` file as one
//! (`pdca_interchange::plan_workbook`).

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::Context;
use pdca_core::Plan;
use pdca_interchange::plan_workbook::{export_plan_workbook, import_plan_workbook};

/// The largest plan workbook read: a plan of a few hundred indicators is well under 1 MB.
const MAX_WORKBOOK_BYTES: u64 = 20 * 1024 * 1024;

/// Whether `file` is read as a plan workbook (its extension is `.xlsx`, in any case).
pub fn is_workbook(file: &Path) -> bool {
    file.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Writes the plan's workbook to `output`, or to standard output when that is not a terminal.
pub fn write(plan: &Plan, output: Option<&Path>) -> anyhow::Result<()> {
    let bytes = export_plan_workbook(plan)?;
    match output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("{} に書き込めません", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            if stdout.is_terminal() {
                anyhow::bail!(
                    "ブック（.xlsx）は端末には表示できません。-o 計画.xlsx のように書き出し先のファイルを指定してください"
                );
            }
            stdout
                .write_all(&bytes)
                .and_then(|()| stdout.flush())
                .context("標準出力に書き込めません")?;
        }
    }
    Ok(())
}

/// Reads a plan workbook: the plan as a plan file's text (what the store keeps as its source)
/// and the plan, or every problem as one line naming the sheet, row and column.
pub fn read(file: &Path) -> anyhow::Result<(String, Result<Plan, Vec<String>>)> {
    let opened =
        std::fs::File::open(file).with_context(|| format!("{} を開けません", file.display()))?;
    let mut bytes = Vec::new();
    opened
        .take(MAX_WORKBOOK_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{} を読めません", file.display()))?;
    if bytes.len() as u64 > MAX_WORKBOOK_BYTES {
        anyhow::bail!(
            "{} は計画のブックとしては大きすぎます（{} MiB まで）",
            file.display(),
            MAX_WORKBOOK_BYTES / 1024 / 1024
        );
    }
    let name = file.display().to_string();
    Ok(match import_plan_workbook(&name, &bytes) {
        Ok(imported) => (imported.toml, Ok(imported.plan)),
        Err(errors) => (String::new(), Err(errors.messages())),
    })
}
