//! `pdca actuals …`: import (all-or-nothing), export and history of actuals.

use crate::progress::Steps;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use pdca_core::FiscalYear;
use pdca_core::access::ActualState;
use pdca_core::actuals::ActualValue;
use pdca_core::import::validate_rows;
use pdca_interchange::{
    ExportRow, Limits, read_table_limited, write_actuals_csv, write_actuals_json,
};
use pdca_store::{NewActual, Visibility};

use super::Session;
use super::plan::format_number;
use crate::cli::ActualsFormat;

pub async fn import(
    session: &Session,
    file: &Path,
    plan: Option<&str>,
    dry_run: bool,
    draft: bool,
) -> anyhow::Result<ExitCode> {
    let name = file.display().to_string();
    let steps = Steps::start(&format!("{name} を読んでいます"));
    let bytes = std::fs::read(file).with_context(|| format!("{name} を読めません"))?;
    // The file is parsed on another thread while the plan loads: both take a while for a large
    // import, and the machine usually has a core to spare. Reading stays within the command
    // line's limits (a workbook's inflated size and cells; CSV rows are not limited), so a
    // hostile workbook is refused with a message rather than exhausting memory.
    let reading = {
        let name = name.clone();
        tokio::task::spawn_blocking(move || {
            let table = read_table_limited(&name, &bytes, &Limits::COMMAND_LINE);
            (table, bytes)
        })
    };
    let plan = session.plan(plan).await;
    let (table, bytes) = reading
        .await
        .with_context(|| format!("{name} を読めません"))?;
    drop(steps);
    let plan = plan?;
    let table = match table {
        Ok(table) => table,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("{name}: エラーがあるため何も取り込みませんでした");
            return Ok(ExitCode::FAILURE);
        }
    };
    // Sub-targets are checked against everything recorded, approved or not.
    let current = session.store.actuals_as(&plan.id, Visibility::All).await?;
    let imported = match validate_rows(&plan, &table.layout, &table.rows, &current) {
        Ok(rows) => rows,
        Err(errors) => {
            let sheet = table
                .sheet
                .as_deref()
                .map(|s| format!("[{s}]"))
                .unwrap_or_default();
            for e in &errors {
                let text = if e.text.is_empty() || e.message.contains(&e.text) {
                    String::new()
                } else {
                    format!("（値「{}」）", e.text)
                };
                eprintln!("{name}{sheet}: {e}{text}");
            }
            eprintln!(
                "{name}: {}件のエラーがあるため何も取り込みませんでした",
                errors.len()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    // A file with a header and no data (or only blank rows) is a mistake, not "0 rows": the web
    // upload refuses it too.
    if imported.is_empty() {
        eprintln!(
            "{name}: 取り込む実績の行がありません（見出しの下に1行以上書いてください）。何も取り込みませんでした"
        );
        return Ok(ExitCode::FAILURE);
    }
    if dry_run {
        for a in &imported {
            let c = &a.contribution;
            println!(
                "{}行目\t{}\t{}\t{}\t{}",
                a.row,
                c.indicator,
                c.year,
                c.body,
                value_text(&c.value)
            );
        }
        println!(
            "{name}: {}件を取り込めます（--dry-run のため取り込んでいません）",
            imported.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<NewActual> = imported
        .into_iter()
        .map(|a| NewActual {
            contribution: a.contribution,
            note: a.note,
            source: a.source,
            state: if draft {
                ActualState::Draft
            } else {
                ActualState::Approved
            },
        })
        .collect();
    let steps = Steps::start(&format!("{}件をデータベースに書き込んでいます", rows.len()));
    let n = session
        .store
        .record_actuals(&plan.id, &rows, &session.actor)
        .await?;
    drop(steps);
    // The process ends once the command returns: the operating system takes the memory back at
    // once, where freeing the millions of small allocations of a large import one by one took a
    // tenth of a second or more.
    std::mem::forget(rows);
    std::mem::forget(table);
    std::mem::forget(bytes);
    let how = if draft {
        "一時保存（未提出）として"
    } else {
        "承認済みとして"
    };
    println!(
        "{name}: {n}件の実績を計画「{}」に{how}取り込みました",
        plan.id
    );
    std::mem::forget(plan);
    Ok(ExitCode::SUCCESS)
}

fn value_text(v: &ActualValue) -> String {
    match v {
        ActualValue::Number(n) => format_number(*n),
        ActualValue::Ratio {
            numerator,
            denominator,
        } => {
            format!(
                "{}/{}",
                format_number(*numerator),
                format_number(*denominator)
            )
        }
        ActualValue::Narrative(t) => t.clone(),
    }
}

pub async fn export(
    session: &Session,
    plan: Option<&str>,
    format: ActualsFormat,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let stored = session.store.current_actuals(&plan.id).await?;
    let rows: Vec<ExportRow> = stored
        .iter()
        .map(|s| {
            let mut row =
                ExportRow::from_contribution(&s.contribution, s.note.clone(), s.source.clone());
            row.recorded_by = Some(s.recorded_by.clone());
            row.recorded_at = Some(s.recorded_at.clone());
            row.revision = Some(s.id);
            row
        })
        .collect();
    let bytes = match format {
        ActualsFormat::Csv => write_actuals_csv(&rows),
        ActualsFormat::Json => {
            let mut out = serde_json::to_vec_pretty(&write_actuals_json(&rows))?;
            out.push(b'\n');
            out
        }
    };
    match output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("{} に書けません", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn lock(
    session: &Session,
    fy: FiscalYear,
    plan: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let n = session
        .store
        .lock_year(&plan.id, fy, &session.actor)
        .await?;
    println!(
        "計画「{}」の{}（{fy}）の承認済みの値{n}件を確定しました",
        plan.id,
        fy.wareki()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn history(
    session: &Session,
    indicator: &str,
    plan: Option<&str>,
    fy: Option<FiscalYear>,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    if plan.indicator(indicator).is_none() {
        anyhow::bail!("指標「{indicator}」は計画「{}」にありません", plan.id);
    }
    let revisions = session.store.revisions_of(&plan.id, indicator, fy).await?;
    if revisions.is_empty() {
        println!("指標「{indicator}」の実績はまだありません");
    }
    let mut previous: std::collections::HashMap<(FiscalYear, String), String> = Default::default();
    for r in revisions {
        let c = &r.contribution;
        let new = value_text(&c.value);
        let old = previous
            .insert((c.year, c.body.clone()), new.clone())
            .unwrap_or_else(|| "（なし）".to_owned());
        println!(
            "{}\t{}\t{}\t{}\t{old} → {new}\t{}\t{}\t{}",
            wareki_timestamp(&r.recorded_at),
            r.recorded_by,
            c.year,
            c.body,
            r.state.label_ja(),
            r.note.as_deref().unwrap_or(""),
            r.source.as_deref().unwrap_or("")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// An RFC 3339 timestamp in 和暦 and Japan time, as officials read it: 令和5年6月13日 18:05.
fn wareki_timestamp(rfc3339: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let Ok(at) = time::OffsetDateTime::parse(rfc3339, &Rfc3339) else {
        return rfc3339.to_owned();
    };
    let jst = at.to_offset(time::macros::offset!(+9));
    format!(
        "{} {:02}:{:02}",
        pdca_core::fiscal_year::wareki_date(
            jst.year(),
            u32::from(u8::from(jst.month())),
            u32::from(jst.day())
        ),
        jst.hour(),
        jst.minute()
    )
}

/// `pdca template --body BODY --fy FY -o FILE.xlsx`: the body's collection workbook.
pub async fn template(
    session: &Session,
    plan: Option<&str>,
    body: &str,
    fy: FiscalYear,
    output: &Path,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    if !plan.period.contains(fy) {
        anyhow::bail!(
            "{fy}（{}）は計画「{}」の期間 {}〜{} の外です",
            fy.wareki(),
            plan.id,
            plan.period.start,
            plan.period.end
        );
    }
    let previous = session
        .store
        .actuals_as(&plan.id, Visibility::Approved)
        .await?;
    let current = session.store.actuals_as(&plan.id, Visibility::All).await?;
    let Some(template) = pdca_interchange::Template::build(&plan, body, fy, &previous, &current)
    else {
        anyhow::bail!(
            "報告機関「{body}」は計画「{}」にありません（{}）",
            plan.id,
            plan.bodies
                .iter()
                .map(|b| b.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let bytes = pdca_interchange::write_template(&template)?;
    std::fs::write(output, bytes)
        .with_context(|| format!("{} に書き込めません", output.display()))?;
    println!(
        "{}の{}報告様式（指標{}件）を {} に書き出しました",
        template.body_name,
        fy.wareki(),
        template.rows.len(),
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_show_in_wareki() {
        assert_eq!(
            super::wareki_timestamp("2023-06-13T09:05:00Z"),
            "令和5年6月13日 18:05"
        );
        assert_eq!(super::wareki_timestamp("garbage"), "garbage");
    }
}
