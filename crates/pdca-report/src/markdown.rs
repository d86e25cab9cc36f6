//! The report as Markdown: the same sections and tables as the PDF, for review and diffs.

use std::fmt::Write as _;

use crate::model::{ACHIEVEMENTS_NOTE, Report};
use crate::percent;

/// Escapes text from the plan and the data for a Markdown table cell or list item: HTML is
/// shown as text, never run (`<script>`, `<img onerror=…>`), and characters that would start
/// markup, links, code or a new table cell are escaped with a backslash. Line breaks become
/// `<br>`, control characters go. Japanese text is left as it is.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    // A text that begins like a block (a heading, a list item) would nest one in a list item;
    // the marker is escaped (`>` is, as `&gt;`). `1.` and `1)` are escaped on their punctuation.
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    if text.starts_with(['#', '-', '+', '=']) {
        out.push('\\');
    } else if !digits.is_empty()
        && text.get(digits.len()..).is_some_and(|rest| {
            matches!(rest, "." | ")") || rest.starts_with(". ") || rest.starts_with(") ")
        })
    {
        out.push_str(&digits);
        out.push('\\');
        for _ in 0..digits.len() {
            chars.next();
        }
    }
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The report as a Markdown document.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    // `write!` to a String cannot fail.
    let _ = write_report(&mut out, report);
    out
}

fn write_report(out: &mut String, r: &Report) -> std::fmt::Result {
    writeln!(out, "# {}", cell(&r.title))?;
    writeln!(out)?;
    if let Some(material) = &r.material {
        writeln!(out, "{}  ", cell(material))?;
    }
    if let Some(meeting) = &r.meeting {
        writeln!(out, "{}  ", cell(meeting))?;
    }
    writeln!(out, "{}", r.date_ja)?;
    writeln!(out)?;
    writeln!(out, "## 評価の概要")?;
    writeln!(out)?;
    writeln!(out, "{}。", r.total_sentence)?;
    writeln!(out)?;
    writeln!(out, "| 統合プロジェクト | A | B | N | 未評価 |")?;
    writeln!(out, "|---|---:|---:|---:|---:|")?;
    for s in r.summary.iter().chain(std::iter::once(&r.total)) {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&s.name),
            s.a,
            s.b,
            s.n,
            s.unrated
        )?;
    }
    for project in &r.projects {
        writeln!(out)?;
        writeln!(out, "## {}", cell(&project.name))?;
        for table in &project.tables {
            writeln!(out)?;
            writeln!(out, "### {}", table.heading)?;
            let years: Vec<String> = r.year_labels.iter().map(|y| cell(y)).collect();
            for group in &table.groups {
                writeln!(out)?;
                writeln!(out, "#### {}", cell(&group.name))?;
                writeln!(out)?;
                writeln!(
                    out,
                    "| ID | 指標 | 目標 | {} | 累計等 | 進捗率 | 期待進捗率 | 自動判定 | 委員会の評価 |",
                    years.join(" | ")
                )?;
                writeln!(
                    out,
                    "|---|---|---:|{}---:|---:|---:|:-:|:-:|",
                    "---:|".repeat(years.len())
                )?;
                for row in &group.rows {
                    let name = if row.sub {
                        format!("　{}", row.name)
                    } else {
                        row.name.clone()
                    };
                    writeln!(
                        out,
                        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                        cell(&row.id),
                        cell(&name),
                        cell(&row.target_text),
                        row.actual_texts
                            .iter()
                            .map(|t| cell(t))
                            .collect::<Vec<_>>()
                            .join(" | "),
                        cell(&row.figure_text),
                        percent(row.progress),
                        percent(row.expected),
                        row.status,
                        row.rating
                    )?;
                }
            }
        }
        if !project.management.is_empty() {
            writeln!(out)?;
            writeln!(out, "### その他管理指標")?;
            writeln!(out)?;
            for m in &project.management {
                let narrative = if m.narrative.is_empty() {
                    "（報告なし）"
                } else {
                    &m.narrative
                };
                writeln!(out, "- **{}**: {}", cell(&m.name), cell(narrative))?;
            }
        }
        if !project.notable.is_empty() || !project.achievements.is_empty() {
            writeln!(out)?;
            writeln!(out, "### 顕著な成果")?;
            if !project.notable.is_empty() {
                writeln!(out)?;
            }
            for t in &project.notable {
                writeln!(out, "- {}", cell(t))?;
            }
            if !project.achievements.is_empty() {
                writeln!(out)?;
                writeln!(out, "#### 顕著な成果の候補（成果一覧）")?;
                writeln!(out)?;
                writeln!(out, "| 指標 | 成果名 | 実施機関 |")?;
                writeln!(out, "|---|---|---|")?;
                for a in &project.achievements {
                    writeln!(
                        out,
                        "| {} | {} | {} |",
                        cell(&a.indicator),
                        cell(&a.title),
                        cell(&a.institution)
                    )?;
                }
                writeln!(out)?;
                writeln!(out, "{}", ACHIEVEMENTS_NOTE)?;
            }
        }
        if !project.opinions.is_empty() {
            writeln!(out)?;
            writeln!(out, "### 委員の意見")?;
            writeln!(out)?;
            for t in &project.opinions {
                writeln!(out, "- {}", cell(t))?;
            }
        }
        if !project.issues.is_empty() {
            writeln!(out)?;
            writeln!(out, "### 課題と解決策")?;
            writeln!(out)?;
            writeln!(out, "| 指標 | 評価 | 課題 | 解決策 |")?;
            writeln!(out, "|---|:-:|---|---|")?;
            for i in &project.issues {
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    cell(&i.indicator),
                    i.rating,
                    cell(&i.issue),
                    cell(&i.solution)
                )?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "## 重点的に議論・提案すべき項目")?;
    writeln!(out)?;
    if r.priorities.is_empty() {
        writeln!(out, "（なし）")?;
    }
    for (n, p) in r.priorities.iter().enumerate() {
        writeln!(out, "{}. **{}**: {}", n + 1, cell(&p.title), cell(&p.text))?;
        if !p.points.is_empty() {
            writeln!(out, "   - 留意点: {}", cell(&p.points))?;
        }
        if !p.concerns.is_empty() {
            writeln!(out, "   - 対象: {}", cell(&p.concerns.join("、")))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "## 資源配分方針")?;
    writeln!(out)?;
    if r.clauses.is_empty() {
        writeln!(out, "（なし）")?;
    }
    for (n, c) in r.clauses.iter().enumerate() {
        writeln!(out, "{}. **{}**: {}", n + 1, cell(&c.title), cell(&c.text))?;
        if !c.reflects.is_empty() {
            writeln!(out, "   - 反映: {}", cell(&c.reflects.join("、")))?;
        }
        if !c.budget.is_empty() {
            writeln!(out, "   - 予算への反映: {}", cell(&c.budget))?;
        }
    }
    if !r.glossary.is_empty() {
        writeln!(out)?;
        writeln!(out, "## 用語")?;
        writeln!(out)?;
        for (term, definition) in &r.glossary {
            writeln!(out, "- **{}**: {}", cell(term), cell(definition))?;
        }
    }
    Ok(())
}
