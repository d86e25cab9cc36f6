//! The parts of a round's page: item rows, rating words, the notices after a form, what is
//! missing before the round can close, and the lists of links chosen by name.

use pdca_core::access::ActualState;
use pdca_core::access::Role;
use pdca_core::evaluation::Rating;
use pdca_core::follow_up::{LinkKind, Missing, RoundError, RoundItem};
use pdca_core::{FiscalYear, Plan};

use super::round_page::{ItemRow, LinkGroup, fill};
use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{self, Lang};
use pdca_app::follow_up::RoundView;

pub(crate) fn item_row(item: &RoundItem, plan: &Plan, plan_id: &str) -> ItemRow {
    ItemRow {
        id: item.id,
        title: item.title.clone().unwrap_or_default(),
        text: item.text.clone(),
        points: item.points.clone().unwrap_or_default(),
        body: item
            .body_id
            .as_deref()
            .map(|b| {
                plan.body(b)
                    .map_or_else(|| b.to_owned(), |b| b.name.clone())
            })
            .unwrap_or_default(),
        links: item
            .links
            .iter()
            .map(|l| {
                let href = match l.kind {
                    LinkKind::Project => format!("/projects/{}?plan={plan_id}", l.id),
                    LinkKind::Indicator => format!("/trace/{}?plan={plan_id}", l.id),
                    LinkKind::Item => format!("#item-{}", l.id),
                };
                (href, l.to_string())
            })
            .collect(),
        budget: item.budget.clone().unwrap_or_default(),
        by: item.author.clone(),
        reflected: item.reflected,
        notice: None,
    }
}

/// The download button's label of a report format.
pub(crate) fn report_label(format: pdca_report::Format) -> &'static str {
    match format {
        pdca_report::Format::Pdf => "PDF",
        pdca_report::Format::Markdown => "Markdown",
        pdca_report::Format::Xlsx => "Excel (XLSX)",
    }
}

pub(crate) fn rating_letter(r: Option<Rating>) -> String {
    r.map_or_else(|| "ー".to_owned(), |r| format!("{r:?}"))
}

pub(crate) fn pace_text(p: Option<f64>) -> String {
    p.map_or_else(|| "ー".to_owned(), |p| format!("{:.0}%", p * 100.0))
}

/// The meaning of a rating in the page's language: 順調に進捗している, 進捗が不十分, 現時点で評価が困難.
pub(crate) fn rating_meaning(lang: Lang, rating: Rating) -> &'static str {
    let t = lang.text();
    match rating {
        Rating::A => t.status_on_track,
        Rating::B => t.status_insufficient,
        Rating::N => t.status_not_evaluable,
    }
}

/// The message of a refused rating, for a person at the page (no command-line flags): the
/// field it is about and the text.
pub(crate) fn rating_refusal(lang: Lang, error: &RoundError) -> (&'static str, String) {
    match error {
        RoundError::ReasonRequired {
            proposal, rating, ..
        } => (
            "reason",
            fill(
                lang.text().round_reason_required,
                &[
                    (
                        "auto",
                        &format!("{proposal:?} {}", rating_meaning(lang, *proposal)),
                    ),
                    (
                        "rating",
                        &format!("{rating:?} {}", rating_meaning(lang, *rating)),
                    ),
                ],
            ),
        ),
        other => ("rating", other.to_string()),
    }
}

/// What keeps the round from closing, each with the link to its row.
pub(crate) fn missing_rows(lang: Lang, view: &RoundView) -> Vec<(String, String)> {
    let t = lang.text();
    // Names repeat across projects (非臨床POCの取得件数) and sub-targets need their parent:
    // each line says both.
    let name = |id: &str| match (view.plan.indicator(id), view.plan.project_of(id)) {
        (Some(i), Some(p)) => [
            view.plan.full_name(i, t.paren_open, t.paren_close).as_str(),
            t.paren_open,
            &p.name,
            t.paren_close,
        ]
        .concat(),
        _ => id.to_owned(),
    };
    view.missing
        .iter()
        .map(|m| match m {
            Missing::Rating { indicator_id } => (
                format!("#ind-{indicator_id}"),
                fill(t.round_missing_rating, &[("name", &name(indicator_id))]),
            ),
            Missing::IssueOrSolution {
                indicator_id,
                issue,
                solution,
            } => {
                let template = match (issue, solution) {
                    (true, true) => t.round_missing_issue_solution,
                    (true, false) => t.round_missing_issue,
                    _ => t.round_missing_solution,
                };
                (
                    format!("#ind-{indicator_id}"),
                    fill(template, &[("name", &name(indicator_id))]),
                )
            }
            Missing::PendingValue {
                indicator_id,
                body_id,
                state,
            } => {
                let body = view
                    .plan
                    .body(body_id)
                    .map_or_else(|| body_id.clone(), |b| b.name.clone());
                let state = state
                    .parse::<ActualState>()
                    .map_or_else(|_| state.clone(), |s| i18n::state_label(lang, s).to_owned());
                (
                    format!("#ind-{indicator_id}"),
                    fill(
                        t.round_missing_pending,
                        &[
                            ("name", &name(indicator_id)),
                            ("body", &body),
                            ("state", &state),
                        ],
                    ),
                )
            }
        })
        .collect()
}

/// The approved values of the round's year: what closing locks.
pub(crate) fn approved_values_of_year(view: &RoundView, fy: FiscalYear) -> usize {
    view.actuals
        .contributions()
        .iter()
        .filter(|c| c.year == fy)
        .count()
}

/// The lists links are chosen from: each project (itself and its indicators, by name), then
/// the items of this round and the previous round's policy clauses. A body sees its own
/// indicators only.
pub(crate) fn link_groups(lang: Lang, user: &CurrentUser, view: &RoundView) -> Vec<LinkGroup> {
    let t = lang.text();
    let own = (user.role() == Role::Body).then(|| user.user.body.clone().unwrap_or_default());
    let mut groups: Vec<LinkGroup> = view
        .plan
        .projects
        .iter()
        .map(|p| {
            let mut options = vec![(
                p.id.clone(),
                format!("{}{}", p.name, t.round_links_project_itself),
            )];
            options.extend(
                p.indicators
                    .iter()
                    .filter(|i| {
                        own.as_ref()
                            .is_none_or(|b| i.assignments.iter().any(|a| a.body == *b))
                    })
                    .map(|i| (i.id.clone(), i.name.clone())),
            );
            LinkGroup {
                label: p.name.clone(),
                options,
            }
        })
        .collect();
    let label = |i: &RoundItem| {
        let head = i
            .title
            .clone()
            .unwrap_or_else(|| i.text.chars().take(40).collect());
        format!(
            "#{} {}（{}）",
            i.id,
            head,
            i18n::item_kind_label(lang, i.kind)
        )
    };
    let mut items: Vec<(String, String)> = view
        .previous_clauses
        .iter()
        .map(|c| (format!("#{}", c.clause.id), label(&c.clause)))
        .collect();
    items.extend(
        view.content
            .items
            .iter()
            .map(|i| (format!("#{}", i.id), label(i))),
    );
    if !items.is_empty() {
        groups.push(LinkGroup {
            label: t.round_links_items.to_owned(),
            options: items,
        });
    }
    groups
}

/// The notice of what the last form did, from the `done` and `id` of the address.
pub(crate) fn done_notice(
    lang: Lang,
    view: &RoundView,
    fy: FiscalYear,
    done: &str,
    id: &str,
) -> String {
    let t = lang.text();
    let fy_label = i18n::fiscal_year(lang, fy);
    match done {
        "rated" => match (view.plan.indicator(id), view.rating(id)) {
            (Some(indicator), Some(r)) => fill(
                t.round_rated_notice,
                &[
                    ("name", &indicator.name),
                    ("rating", &format!("{:?}", r.rating)),
                    ("label", rating_meaning(lang, r.rating)),
                ],
            ),
            _ => t.round_done.to_owned(),
        },
        "item" => match view.content.items.iter().find(|i| i.id.to_string() == id) {
            Some(item) => fill(
                t.round_item_notice,
                &[("kind", i18n::item_kind_label(lang, item.kind)), ("id", id)],
            ),
            None => t.round_done.to_owned(),
        },
        "reflected" => fill(t.round_reflected_notice, &[("id", id)]),
        "meeting" => t.round_meeting_notice.to_owned(),
        "minutes" | "material" => {
            let meeting = view
                .meetings
                .iter()
                .find(|m| m.id.to_string() == id)
                .map(|m| m.title())
                .unwrap_or_default();
            let template = if done == "minutes" {
                t.round_minutes_notice
            } else {
                t.round_material_notice
            };
            fill(template, &[("meeting", &meeting)])
        }
        "opened" => fill(t.round_opened_notice, &[("fy", &fy_label)]),
        "advanced" => fill(
            t.round_advanced_notice,
            &[(
                "state",
                i18n::round_state_label(lang, view.content.round.state),
            )],
        ),
        "closed" => fill(t.round_closed_notice, &[("fy", &fy_label)]),
        "reopened" => fill(t.round_reopened_notice, &[("fy", &fy_label)]),
        _ => t.round_done.to_owned(),
    }
}
