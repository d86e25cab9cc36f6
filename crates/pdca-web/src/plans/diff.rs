//! Revisions side by side: `GET /plans/{id}/changes?from=N&to=M` shows what a revision of the
//! plan changed (the plan header, projects, and indicators added, removed, renamed or
//! retargeted, in the plan's order), to every signed-in role: revisions are public. The table
//! of changes (`diff_table.html`, rows from [`diff_rows`]) is shared with the draft preview.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use pdca_app::plans::{RowKind, compare_revisions};
use pdca_core::Plan;
use pdca_core::plan::Period;
use pdca_core::plan_diff::{HeaderChange, PlanDiff, ProjectChangeKind};
use serde::Deserialize;

use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppPath, AppQuery, Chrome, Here};
use crate::{AppState, WebError};

/// The routes of this page.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/plans/{id}/changes", get(changes_page))
}

/// One row of the changes table.
pub(crate) struct DiffRow {
    /// 追加, 削除, 名称変更, …
    pub change: &'static str,
    /// `added`, `removed`, … (the row's class).
    pub kind: &'static str,
    pub id: String,
    pub project: String,
    pub name: String,
    pub before: String,
    pub after: String,
}

/// The rows of `diff` (from `previous` to `plan`) in `lang`: a sub-target named after its
/// parent, targets as the plan writes them.
pub(crate) fn diff_rows(lang: Lang, previous: &Plan, plan: &Plan, diff: &PlanDiff) -> Vec<DiffRow> {
    let t = lang.text();
    pdca_app::plans::diff_rows(diff)
        .into_iter()
        .map(|row| {
            let (label, kind) = match row.change {
                RowKind::Added => (t.plan_changes_added, "added"),
                RowKind::Removed => (t.plan_changes_removed, "removed"),
                RowKind::Renamed => (t.plan_changes_renamed, "renamed"),
                RowKind::TargetChanged => (t.plan_changes_target, "target"),
                RowKind::Other => (t.plan_changes_other, "other"),
            };
            let holder = if row.change == RowKind::Removed {
                previous
            } else {
                plan
            };
            let name = holder
                .indicator(&row.id)
                .filter(|_| row.change != RowKind::Renamed)
                .map_or_else(
                    || row.name.clone(),
                    |i| holder.full_name(i, t.paren_open, t.paren_close),
                );
            DiffRow {
                change: label,
                kind,
                id: row.id,
                project: row.project_name,
                name,
                before: row.before.unwrap_or_default(),
                after: row.after.unwrap_or_default(),
            }
        })
        .collect()
}

/// A change of the plan header or of a project.
struct PlanRow {
    item: String,
    before: String,
    after: String,
}

struct Choice {
    value: u32,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "plans/diff.html")]
struct ChangesPage {
    c: Chrome,
    title: &'static str,
    plan_id: String,
    plan_name: String,
    from_choices: Vec<Choice>,
    to_choices: Vec<Choice>,
    between: String,
    empty: bool,
    plan_rows: Vec<PlanRow>,
    /// The indicators' changes (the name `diff_table.html` reads).
    diff: Vec<DiffRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChangesQuery {
    from: String,
    to: String,
}

/// A revision number from the query; blank is the default.
fn revision(param: &str, text: &str) -> Result<Option<u32>, WebError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u32>()
        .map(Some)
        .map_err(|_| WebError::BadRequest {
            param: param.to_owned(),
            message: format!("「{text}」は版の番号として読めません（例: 2）"),
        })
}

fn period_text(lang: Lang, period: Period) -> String {
    format!(
        "{}〜{}",
        i18n::fiscal_year(lang, period.start),
        i18n::fiscal_year(lang, period.end)
    )
}

fn plan_rows(lang: Lang, diff: &PlanDiff) -> Vec<PlanRow> {
    let t = lang.text();
    let row = |item: &str, before: String, after: String| PlanRow {
        item: item.to_owned(),
        before,
        after,
    };
    let header = diff.header.iter().map(|h| match h {
        HeaderChange::Name { old, new } => row(t.plan_changes_name, old.clone(), new.clone()),
        HeaderChange::Period { old, new } => row(
            t.plan_changes_period,
            period_text(lang, *old),
            period_text(lang, *new),
        ),
        HeaderChange::EffectiveFrom { old, new } => row(
            t.plan_changes_effective_from,
            i18n::fiscal_year(lang, *old),
            i18n::fiscal_year(lang, *new),
        ),
    });
    let named = |name: &str, id: &str| [name, t.paren_open, id, t.paren_close].concat();
    let projects = diff.projects.iter().map(|p| match &p.change {
        ProjectChangeKind::Added { name } => row(
            t.plan_changes_project_added,
            String::new(),
            named(name, &p.id),
        ),
        ProjectChangeKind::Removed { name } => row(
            t.plan_changes_project_removed,
            named(name, &p.id),
            String::new(),
        ),
        ProjectChangeKind::Renamed { old, new } => row(
            &named(t.plan_changes_project_renamed, &p.id),
            old.clone(),
            new.clone(),
        ),
    });
    header.chain(projects).collect()
}

/// `GET /plans/{id}/changes[?from=N&to=M]`: what changed from revision N to M (by default the
/// previous revision and the current one); an unknown plan or revision is 404.
async fn changes_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppPath(id): AppPath<String>,
    AppQuery(query): AppQuery<ChangesQuery>,
) -> Result<Html<String>, WebError> {
    let from = revision("from", &query.from)?;
    let to = revision("to", &query.to)?;
    let comparison = compare_revisions(&state.store, &id, from, to).await?;
    let choices = |selected: u32| {
        comparison
            .revisions
            .iter()
            .map(|&r| Choice {
                value: r,
                label: i18n::plan_revision_label(lang, r),
                selected: r == selected,
            })
            .collect()
    };
    let (old, new) = (&comparison.from, &comparison.to);
    let page = ChangesPage {
        c: Chrome::new(lang, Some(&user), &here),
        title: lang.text().plan_changes_title,
        plan_id: new.id.clone(),
        plan_name: new.name.clone(),
        from_choices: choices(old.revision),
        to_choices: choices(new.revision),
        between: i18n::plan_changes_between(lang, old.revision, new.revision),
        empty: comparison.diff.is_empty(),
        plan_rows: plan_rows(lang, &comparison.diff),
        diff: diff_rows(lang, old, new, &comparison.diff),
    };
    Ok(Html(page.render()?))
}
