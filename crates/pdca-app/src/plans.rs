//! Two revisions of a plan side by side, as `pdca plan diff` prints them and the plan's changes
//! page shows them: the revisions to compare (by default the previous and the current one),
//! one row per change with the targets as the plan writes them, and the JSON of the CLI.

use pdca_core::Plan;
use pdca_core::plan_diff::{ChangeKind, HeaderChange, PlanDiff, ProjectChangeKind, diff_plans};
use pdca_store::{Store, StoreError};
use serde::Serialize;
use serde_json::Value;

/// How a target reads when there is none.
pub const NO_TARGET: &str = "（目標値なし）";

/// Two revisions of one plan and what differs between them.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The earlier revision (`--from`).
    pub from: Plan,
    /// The later revision (`--to`).
    pub to: Plan,
    /// Every revision number of the plan, oldest first (for choosing others).
    pub revisions: Vec<u32>,
    /// What differs.
    pub diff: PlanDiff,
}

/// Compares revisions `from` and `to` of plan `id`; by default the one before the current and
/// the current one (the first with itself while there is only one). An unknown plan or
/// revision is [`StoreError::NotFound`] naming it.
pub async fn compare_revisions(
    store: &Store,
    id: &str,
    from: Option<u32>,
    to: Option<u32>,
) -> Result<Comparison, StoreError> {
    let history = store
        .plan_history(id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("計画「{id}」")))?;
    let revisions: Vec<u32> = history.versions().iter().map(|p| p.revision).collect();
    let current = history.current().revision;
    let previous = revisions
        .iter()
        .rev()
        .copied()
        .find(|r| *r < current)
        .unwrap_or(current);
    let find = |revision: u32| {
        history
            .versions()
            .iter()
            .find(|p| p.revision == revision)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(format!("計画「{id}」の第{revision}版")))
    };
    let from = find(from.unwrap_or(previous))?;
    let to = find(to.unwrap_or(current))?;
    let diff = diff_plans(&from, &to);
    Ok(Comparison {
        from,
        to,
        revisions,
        diff,
    })
}

/// What a row of the comparison says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A new indicator.
    Added,
    /// An indicator no longer in the plan.
    Removed,
    /// The same indicator under another name.
    Renamed,
    /// The same indicator with another target.
    TargetChanged,
    /// Anything else about the indicator (kind, group, parent, bodies, …).
    Other,
}

impl RowKind {
    /// 追加, 削除, 名称変更, 目標変更, その他の変更.
    pub fn label(self) -> &'static str {
        match self {
            RowKind::Added => "追加",
            RowKind::Removed => "削除",
            RowKind::Renamed => "名称変更",
            RowKind::TargetChanged => "目標変更",
            RowKind::Other => "その他の変更",
        }
    }

    /// `added`, `removed`, … as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Added => "added",
            RowKind::Removed => "removed",
            RowKind::Renamed => "renamed",
            RowKind::TargetChanged => "target_changed",
            RowKind::Other => "other",
        }
    }
}

/// One change of one indicator, as a line of `pdca plan diff` and a row of the changes table.
/// An indicator renamed and retargeted gives two rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffRow {
    /// What changed.
    pub change: RowKind,
    /// The indicator's id.
    pub id: String,
    /// Its project's id.
    pub project_id: String,
    /// Its project's name.
    pub project_name: String,
    /// Its name (in the later revision; the earlier one's for a removed indicator).
    pub name: String,
    /// Before: the target of a removed indicator, the old name or target, else none.
    pub before: Option<String>,
    /// After: the target of an added indicator, the new name or target, or what else changed.
    pub after: Option<String>,
}

/// The rows of `diff`, in the plan's order.
pub fn diff_rows(diff: &PlanDiff) -> Vec<DiffRow> {
    let target = |t: &Option<String>| Some(t.clone().unwrap_or_else(|| NO_TARGET.to_owned()));
    let mut rows = Vec::new();
    for c in &diff.changes {
        let row = |change: RowKind, before, after| DiffRow {
            change,
            id: c.id.clone(),
            project_id: c.project_id.clone(),
            project_name: c.project_name.clone(),
            name: c.name.clone(),
            before,
            after,
        };
        match &c.change {
            ChangeKind::Added { target: t, .. } => {
                rows.push(row(RowKind::Added, None, target(t)));
            }
            ChangeKind::Removed { target: t, .. } => {
                rows.push(row(RowKind::Removed, target(t), None));
            }
            ChangeKind::Changed {
                name,
                target: retargeted,
                other,
            } => {
                if let Some((old, new)) = name {
                    rows.push(row(RowKind::Renamed, Some(old.clone()), Some(new.clone())));
                }
                if let Some((old, new)) = retargeted {
                    rows.push(row(RowKind::TargetChanged, target(old), target(new)));
                }
                for what in other {
                    rows.push(row(RowKind::Other, None, Some(what.clone())));
                }
            }
        }
    }
    rows
}

/// The plan header's changes and the projects' as lines of text: 「計画名: 旧 → 新」.
pub fn header_lines(diff: &PlanDiff) -> Vec<String> {
    let mut lines: Vec<String> = diff
        .header
        .iter()
        .map(|h| match h {
            HeaderChange::Name { old, new } => format!("計画名: {old} → {new}"),
            HeaderChange::Period { old, new } => format!(
                "計画期間: {}〜{} → {}〜{}",
                old.start.wareki(),
                old.end.wareki(),
                new.start.wareki(),
                new.end.wareki()
            ),
            HeaderChange::EffectiveFrom { old, new } => {
                format!("適用開始年度: {} → {}", old.wareki(), new.wareki())
            }
        })
        .collect();
    lines.extend(diff.projects.iter().map(|p| match &p.change {
        ProjectChangeKind::Added { name } => format!("プロジェクトの追加: {}（{}）", name, p.id),
        ProjectChangeKind::Removed { name } => format!("プロジェクトの削除: {}（{}）", name, p.id),
        ProjectChangeKind::Renamed { old, new } => {
            format!("プロジェクトの名称変更（{}）: {old} → {new}", p.id)
        }
    }));
    lines
}

/// The JSON of `pdca plan diff --format json`.
pub fn diff_json(comparison: &Comparison) -> Value {
    let header: Vec<Value> = comparison
        .diff
        .header
        .iter()
        .map(|h| match h {
            HeaderChange::Name { old, new } => {
                serde_json::json!({ "field": "name", "before": old, "after": new })
            }
            HeaderChange::Period { old, new } => serde_json::json!({
                "field": "period",
                "before": { "start_fy": old.start.year(), "end_fy": old.end.year() },
                "after": { "start_fy": new.start.year(), "end_fy": new.end.year() },
            }),
            HeaderChange::EffectiveFrom { old, new } => serde_json::json!({
                "field": "effective_from", "before": old.year(), "after": new.year(),
            }),
        })
        .collect();
    let projects: Vec<Value> = comparison
        .diff
        .projects
        .iter()
        .map(|p| match &p.change {
            ProjectChangeKind::Added { name } => {
                serde_json::json!({ "change": "added", "id": p.id, "name": name })
            }
            ProjectChangeKind::Removed { name } => {
                serde_json::json!({ "change": "removed", "id": p.id, "name": name })
            }
            ProjectChangeKind::Renamed { old, new } => serde_json::json!({
                "change": "renamed", "id": p.id, "before": old, "after": new,
            }),
        })
        .collect();
    serde_json::json!({
        "plan": comparison.to.id,
        "from": comparison.from.revision,
        "to": comparison.to.revision,
        "header": header,
        "projects": projects,
        "changes": diff_rows(&comparison.diff),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use pdca_core::builtin::builtin_plan;
    use pdca_core::plan::{Comparator, Target};

    #[test]
    fn a_rename_with_a_new_target_gives_two_rows_and_no_target_reads_as_such() {
        let old = builtin_plan().unwrap();
        let mut new = old.clone();
        let i = new.indicator_mut("p1-out-01").unwrap();
        i.name = "非臨床POCの件数".to_owned();
        i.target = Some(Target::Cumulative {
            value: 30.0,
            comparator: Comparator::AtLeast,
        });
        new.indicator_mut("p1-out-02").unwrap().target = None;
        let rows = diff_rows(&diff_plans(&old, &new));
        let summary: Vec<(RowKind, &str, Option<&str>, Option<&str>)> = rows
            .iter()
            .map(|r| {
                (
                    r.change,
                    r.id.as_str(),
                    r.before.as_deref(),
                    r.after.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    RowKind::Renamed,
                    "p1-out-01",
                    Some("非臨床POCの取得件数"),
                    Some("非臨床POCの件数")
                ),
                (
                    RowKind::TargetChanged,
                    "p1-out-01",
                    Some("25件"),
                    Some("30件以上")
                ),
                (
                    RowKind::TargetChanged,
                    "p1-out-02",
                    Some("10件"),
                    Some(NO_TARGET)
                ),
            ]
        );
        assert_eq!(rows[1].name, "非臨床POCの件数");
    }
}
