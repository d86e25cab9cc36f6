//! One round's page: its state, the three viewpoints, the previous policy's follow-up and its meetings.

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use pdca_core::FiscalYear;
use pdca_core::access::Role;
use pdca_core::evaluation::Rating;
use pdca_core::follow_up::{ItemKind, default_schedule};
use serde::Deserialize;

use super::round_parts::{
    done_notice, item_row, link_groups, missing_rows, pace_text, rating_letter, rating_meaning,
    report_label,
};
use super::rounds::{may_read, shows_form};
use crate::frame::auth::{CurrentUser, Writers, who};
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{
    AppPath, AppQuery, Chrome, Here, choose_plan, encode_query, parse_fy, refused,
};
use crate::{AppState, WebError};
use pdca_app::follow_up::RoundView;

pub(crate) fn round_href(plan_id: &str, fy: FiscalYear, done: Option<&str>) -> String {
    let mut pairs = vec![("plan", plan_id)];
    if let Some(done) = done {
        pairs.push(("done", done));
    }
    format!("/rounds/{}?{}", fy.year(), encode_query(pairs.into_iter()))
}

/// Where a form sends the user back to: the round, the notice of what was done (`done`, with
/// the id of what it was done to) and the anchor of the row edited.
pub(crate) struct Done {
    /// What was done: `rated`, `item`, `reflected`, `meeting`, `minutes`, `material`,
    /// `advanced`, `closed`, `reopened`, `opened`.
    pub kind: &'static str,
    /// The indicator id, item number or meeting id it was done to ("" for the round).
    pub id: String,
}

impl Done {
    pub(crate) fn new(kind: &'static str, id: impl Into<String>) -> Done {
        Done {
            kind,
            id: id.into(),
        }
    }

    /// The anchor of the row the notice stands in.
    fn anchor(&self) -> String {
        match self.kind {
            "rated" => format!("ind-{}", self.id),
            "item" | "reflected" => format!("item-{}", self.id),
            "meeting" | "minutes" | "material" => format!("meeting-{}", self.id),
            "closed" | "reopened" => "close".to_owned(),
            _ => "round-state".to_owned(),
        }
    }

    /// `/rounds/{fy}?plan=…&done=…&id=…#anchor`.
    pub(crate) fn href(&self, plan_id: &str, fy: FiscalYear) -> String {
        let mut pairs = vec![("plan", plan_id), ("done", self.kind)];
        if !self.id.is_empty() {
            pairs.push(("id", self.id.as_str()));
        }
        format!(
            "/rounds/{}?{}#{}",
            fy.year(),
            encode_query(pairs.into_iter()),
            self.anchor()
        )
    }
}

/// `template` with each `{name}` replaced by its value.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

// ---------------------------------------------------------------------------------------------
// One round

pub(crate) struct IndicatorRow {
    id: String,
    name: String,
    sub: bool,
    /// A management indicator (qualitative): not rated.
    management: bool,
    /// The automatic judgement: its letter and status, 「A（順調に進捗している）」.
    auto: String,
    pace: String,
    /// The committee's rating: letter ("" when none) and meaning (「未評価」 when none).
    rating: String,
    rating_label: String,
    /// The rating the form's radio buttons start at.
    chosen: String,
    reason: String,
    issue: String,
    solution: String,
    /// The rating's `recorded_at`, or `none`: what the form sends back.
    version: String,
    /// The reason, issue and solution recorded (the fields above hold what the form shows).
    recorded: [(&'static str, String); 3],
    has_recorded: bool,
    /// Whether the editor opens (a refused rating).
    open: bool,
    /// The refusal about the rating chosen, about the reason.
    rating_error: Option<String>,
    reason_error: Option<String>,
    /// The notice of what was just recorded here.
    notice: Option<String>,
}

/// The indicators of one integrated project.
pub(crate) struct ProjectGroup {
    id: String,
    name: String,
    indicators: Vec<IndicatorRow>,
}

/// A rating the rules refused, as typed: shown again in its row with the message.
#[derive(Debug, Clone, Default)]
pub(crate) struct RatingEdit {
    pub indicator: String,
    pub rating: String,
    pub reason: String,
    pub issue: String,
    pub solution: String,
    pub version: String,
    /// The field the message is about: `reason` or `rating`.
    pub field: &'static str,
    pub message: String,
}

/// An item the rules refused, as typed: shown again in its form with the message.
#[derive(Debug, Clone, Default)]
pub(crate) struct ItemEdit {
    pub kind: String,
    pub title: String,
    pub text: String,
    pub points: String,
    pub budget: String,
    pub links: Vec<String>,
    pub message: String,
}

/// What the page says about the last form: a notice, a refusal, the refusal to close.
#[derive(Debug, Default)]
pub(crate) struct Feedback {
    pub done: Option<(String, String)>,
    pub error: Option<String>,
    pub close_refused: bool,
    pub rating: Option<RatingEdit>,
    pub item: Option<ItemEdit>,
    /// The achievement chosen to prefill the 顕著な成果 form (`?achievement=`).
    pub achievement: Option<i64>,
}

pub(crate) struct ItemRow {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) text: String,
    pub(crate) points: String,
    pub(crate) body: String,
    pub(crate) links: Vec<(String, String)>,
    pub(crate) budget: String,
    pub(crate) by: String,
    pub(crate) reflected: bool,
    pub(crate) notice: Option<String>,
}

pub(crate) struct ItemSection {
    kind: &'static str,
    label: &'static str,
    items: Vec<ItemRow>,
    form: bool,
    needs_title: bool,
    needs_points: bool,
    needs_body: bool,
    needs_budget: bool,
    /// Opinions name the meeting they were raised at.
    needs_meeting: bool,
    /// Revision proposals name the plan revision they led to.
    needs_revision: bool,
    /// What the form showed when it was refused.
    edit: ItemEdit,
    error: Option<String>,
    /// For 顕著な成果: the year's notable, approved, public achievements, as (prefill link,
    /// label).
    choices: Vec<(String, String)>,
}

/// A group of the lists items link to: (label, [(value, text, chosen?)]).
pub(crate) struct LinkGroup {
    pub(crate) label: String,
    pub(crate) options: Vec<(String, String)>,
}

pub(crate) struct ClauseRow {
    clause: ItemRow,
    statuses: Vec<ItemRow>,
    movements: Vec<String>,
}

pub(crate) struct MeetingRow {
    id: i64,
    title: String,
    mark: &'static str,
    date: String,
    agenda: Vec<String>,
    /// (label and title, download link when a file is attached).
    materials: Vec<(String, String)>,
    minutes: String,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "follow_up/round.html")]
pub(crate) struct RoundPage {
    c: Chrome,
    title: String,
    plan_id: String,
    fy: i32,
    state: &'static str,
    deadline: String,
    counts: String,
    open: bool,
    secretariat: bool,
    can_advance: bool,
    can_rate: bool,
    /// (anchor link, text) of what keeps the round from closing.
    missing: Vec<(String, String)>,
    groups: Vec<ProjectGroup>,
    /// (value, meaning) of A, B and N.
    rating_choices: Vec<(String, &'static str)>,
    sections: Vec<ItemSection>,
    link_groups: Vec<LinkGroup>,
    previous: Vec<ClauseRow>,
    meetings: Vec<MeetingRow>,
    bodies: Vec<(String, String)>,
    own_body: String,
    /// (id, title) of the round's meetings, for opinions.
    meeting_choices: Vec<(i64, String)>,
    /// (format, label) of the report downloads.
    reports: Vec<(&'static str, &'static str)>,
    next_meeting: u32,
    meeting_kind: u8,
    meeting_date: String,
    /// The notice about the round itself (opened, advanced, closed, reopened).
    message: Option<String>,
    /// The error summary: (heading, [(link, message)]).
    summary: Option<(String, Vec<(String, String)>)>,
}

pub(crate) async fn render_round(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan_id: Option<&str>,
    fy: FiscalYear,
    feedback: Feedback,
) -> Result<RoundPage, WebError> {
    let plan = choose_plan(&state.store, plan_id).await?;
    let round = state
        .store
        .round(&plan.id, fy)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("{}のフォローアップ", fy.wareki())))?;
    may_read(user, &round)?;
    let view = RoundView::load(&state.store, &plan.id, fy).await?;
    let t = lang.text();
    let (_, total) = view.counts();
    let role = user.role();
    let open = round.state.is_open();
    let (done_kind, done_id) = feedback.done.clone().unwrap_or_default();
    let notice =
        (!done_kind.is_empty()).then(|| done_notice(lang, &view, fy, &done_kind, &done_id));
    let notice_for = |kind: &str, id: &str| -> Option<String> {
        let same = done_kind == kind && done_id == id;
        same.then(|| notice.clone()).flatten()
    };
    let mut groups: Vec<ProjectGroup> = view
        .plan
        .projects
        .iter()
        .map(|p| ProjectGroup {
            id: p.id.clone(),
            name: p.name.clone(),
            indicators: Vec::new(),
        })
        .collect();
    for ((project, indicator), e) in view.plan.indicators().zip(&view.evaluation.indicators) {
        let r = view.rating(&indicator.id);
        let auto = match e.rating {
            Some(rating) => format!("{rating:?}（{}）", rating_meaning(lang, rating)),
            None => t.status_short(e.status).to_owned(),
        };
        let edit = feedback
            .rating
            .as_ref()
            .filter(|edit| edit.indicator == indicator.id);
        let row = IndicatorRow {
            id: indicator.id.clone(),
            name: indicator.name.clone(),
            sub: indicator.parent.is_some(),
            management: indicator.management,
            auto,
            pace: pace_text(e.pace),
            rating: r.map(|r| format!("{:?}", r.rating)).unwrap_or_default(),
            rating_label: r
                .map_or(t.round_unrated, |r| rating_meaning(lang, r.rating))
                .to_owned(),
            chosen: match edit {
                Some(edit) => edit.rating.clone(),
                None => r
                    .map(|r| format!("{:?}", r.rating))
                    .or_else(|| e.rating.map(|r| format!("{r:?}")))
                    .unwrap_or_default(),
            },
            reason: edit.map_or_else(
                || r.and_then(|r| r.reason.clone()).unwrap_or_default(),
                |e| e.reason.clone(),
            ),
            issue: edit.map_or_else(
                || r.and_then(|r| r.issue.clone()).unwrap_or_default(),
                |e| e.issue.clone(),
            ),
            solution: edit.map_or_else(
                || r.and_then(|r| r.solution.clone()).unwrap_or_default(),
                |e| e.solution.clone(),
            ),
            version: edit.map_or_else(
                || r.map_or_else(|| "none".to_owned(), |r| r.recorded_at.clone()),
                |e| e.version.clone(),
            ),
            recorded: [
                (
                    t.round_col_reason,
                    r.and_then(|r| r.reason.clone()).unwrap_or_default(),
                ),
                (
                    t.round_col_issue,
                    r.and_then(|r| r.issue.clone()).unwrap_or_default(),
                ),
                (
                    t.round_col_solution,
                    r.and_then(|r| r.solution.clone()).unwrap_or_default(),
                ),
            ],
            has_recorded: r
                .is_some_and(|r| r.reason.is_some() || r.issue.is_some() || r.solution.is_some()),
            open: edit.is_some(),
            rating_error: edit
                .filter(|e| e.field != "reason")
                .map(|e| e.message.clone()),
            reason_error: edit
                .filter(|e| e.field == "reason")
                .map(|e| e.message.clone()),
            notice: notice_for("rated", &indicator.id),
        };
        if let Some(group) = groups.iter_mut().find(|g| g.id == project.id) {
            group.indicators.push(row);
        }
    }
    // The year's notable achievements that may appear in the report (approved and public: the
    // report may be published), offered as drafts of a 顕著な成果 item.
    let notable: Vec<&pdca_core::achievements::Achievement> = view
        .achievements
        .iter()
        .filter(|a| {
            a.fields.year == fy && a.fields.public && a.fields.notable && a.state.is_approved()
        })
        .collect();
    let prefill = feedback
        .achievement
        .and_then(|id| notable.iter().find(|a| a.id.0 == id))
        .map(|a| ItemEdit {
            kind: ItemKind::NotableResult.as_str().to_owned(),
            text: match &a.fields.institution {
                Some(institution) => format!("{}（{institution}）", a.fields.title),
                None => a.fields.title.clone(),
            },
            links: vec![a.fields.indicator.clone()],
            ..ItemEdit::default()
        });
    let sections = ItemKind::ALL
        .into_iter()
        .map(|kind| {
            let edit = feedback.item.as_ref().filter(|e| e.kind == kind.as_str());
            let form = open && shows_form(role, kind);
            let choices = if form && kind == ItemKind::NotableResult {
                notable
                    .iter()
                    .map(|a| {
                        let indicator = view
                            .plan
                            .indicator(&a.fields.indicator)
                            .map_or_else(|| a.fields.indicator.clone(), |i| i.name.clone());
                        let label = match &a.fields.institution {
                            Some(institution) => {
                                format!("{indicator}: {}（{institution}）", a.fields.title)
                            }
                            None => format!("{indicator}: {}", a.fields.title),
                        };
                        let id = a.id.0.to_string();
                        let query = encode_query(
                            [("plan", plan.id.as_str()), ("achievement", &id)].into_iter(),
                        );
                        (
                            format!("/rounds/{}?{query}#{}-form", fy.year(), kind.as_str()),
                            label,
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let prefilled = (kind == ItemKind::NotableResult && edit.is_none())
                .then(|| prefill.clone())
                .flatten();
            ItemSection {
                kind: kind.as_str(),
                label: i18n::item_kind_label(lang, kind),
                items: view
                    .items(kind)
                    .map(|i| {
                        let mut row = item_row(i, &view.plan, &plan.id);
                        row.notice = notice_for("item", &i.id.to_string())
                            .or_else(|| notice_for("reflected", &i.id.to_string()));
                        row
                    })
                    .collect(),
                form,
                needs_title: matches!(kind, ItemKind::PriorityItem | ItemKind::PolicyClause),
                needs_points: kind == ItemKind::PriorityItem,
                needs_body: matches!(kind, ItemKind::PriorityMeasure | ItemKind::ClauseStatus),
                needs_budget: kind == ItemKind::PolicyClause,
                needs_meeting: kind == ItemKind::Opinion && !view.meetings.is_empty(),
                needs_revision: kind == ItemKind::RevisionProposal,
                edit: edit.cloned().or(prefilled).unwrap_or_default(),
                error: edit.map(|e| e.message.clone()),
                choices,
            }
        })
        .collect();
    let previous = view
        .previous_clauses
        .iter()
        .map(|c| ClauseRow {
            clause: item_row(&c.clause, &view.plan, &plan.id),
            statuses: c
                .statuses
                .iter()
                .map(|s| item_row(s, &view.plan, &plan.id))
                .collect(),
            movements: c
                .movements
                .iter()
                .map(|m| {
                    let name = view
                        .plan
                        .indicator(&m.indicator_id)
                        .map_or_else(|| m.indicator_id.clone(), |i| i.name.clone());
                    format!(
                        "{}: {} → {}（{} → {}）",
                        name,
                        rating_letter(m.rating_before),
                        rating_letter(m.rating_after),
                        pace_text(m.pace_before),
                        pace_text(m.pace_after)
                    )
                })
                .collect(),
        })
        .collect();
    let meetings = view
        .meetings
        .iter()
        .map(|m| MeetingRow {
            id: m.id,
            title: m.title(),
            mark: m.kind.mark(),
            date: i18n::date(lang, m.date),
            agenda: m.agenda.clone(),
            materials: m
                .materials
                .iter()
                .map(|x| {
                    let href = if x.file_name.is_some() {
                        format!(
                            "/meetings/{}/materials/{}?plan={}",
                            m.id,
                            percent_encoding::utf8_percent_encode(
                                &x.label,
                                percent_encoding::NON_ALPHANUMERIC
                            ),
                            plan.id
                        )
                    } else {
                        String::new()
                    };
                    (format!("{} {}", x.label, x.title), href)
                })
                .collect(),
            minutes: m.minutes.clone().unwrap_or_default(),
            notice: ["meeting", "minutes", "material"]
                .iter()
                .find_map(|kind| notice_for(kind, &m.id.to_string())),
        })
        .collect();
    let missing = if open {
        missing_rows(lang, &view)
    } else {
        Vec::new()
    };
    let summary = if feedback.close_refused && !missing.is_empty() {
        Some((
            fill(t.round_close_refused, &[("n", &missing.len().to_string())]),
            missing.clone(),
        ))
    } else if let Some(edit) = &feedback.rating {
        let field = if edit.field == "reason" {
            format!("#rating-{}-reason", edit.indicator)
        } else {
            format!("#rating-{}-A", edit.indicator)
        };
        Some((
            t.round_error_summary.to_owned(),
            vec![(field, edit.message.clone())],
        ))
    } else if let Some(edit) = &feedback.item {
        Some((
            t.round_error_summary.to_owned(),
            vec![(format!("#{}-text", edit.kind), edit.message.clone())],
        ))
    } else {
        feedback.error.as_ref().map(|error| {
            (
                t.round_error_summary.to_owned(),
                error
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| (String::new(), l.trim().to_owned()))
                    .collect(),
            )
        })
    };
    let round_notice = ["opened", "advanced", "closed", "reopened", "saved"]
        .contains(&done_kind.as_str())
        .then(|| notice.clone())
        .flatten();
    let link_groups = link_groups(lang, user, &view);
    Ok(RoundPage {
        c: Chrome::new(lang, Some(user), here),
        title: format!(
            "{} {} — {}",
            view.plan.name,
            i18n::fiscal_year(lang, fy),
            t.rounds_title
        ),
        plan_id: plan.id.clone(),
        fy: fy.year(),
        state: i18n::round_state_label(lang, round.state),
        deadline: i18n::date(lang, round.deadline),
        counts: total.sentence(),
        open,
        secretariat: role == Role::Secretariat,
        can_advance: open && round.state.advance().is_ok(),
        can_rate: open && user.require(<who::Raters as Writers>::ROLES).is_ok(),
        missing,
        groups,
        rating_choices: [Rating::A, Rating::B, Rating::N]
            .into_iter()
            .map(|r| {
                let letter = match r {
                    Rating::A => "A",
                    Rating::B => "B",
                    Rating::N => "N",
                };
                (letter.to_owned(), rating_meaning(lang, r))
            })
            .collect(),
        sections,
        link_groups,
        previous,
        meetings,
        bodies: view
            .plan
            .bodies
            .iter()
            .map(|b| (b.id.clone(), b.name.clone()))
            .collect(),
        own_body: user.user.body.clone().unwrap_or_default(),
        meeting_choices: view.meetings.iter().map(|m| (m.id, m.title())).collect(),
        reports: pdca_report::Format::ALL
            .iter()
            .map(|f| (f.as_str(), report_label(*f)))
            .collect(),
        next_meeting: state
            .store
            .meetings(&plan.id)
            .await?
            .iter()
            .map(|m| m.number + 1)
            .max()
            .unwrap_or(1),
        meeting_kind: if view.meetings.is_empty() { 1 } else { 2 },
        meeting_date: {
            let schedule = default_schedule(fy);
            if view.meetings.is_empty() {
                schedule.meeting_1.to_string()
            } else {
                schedule.meeting_2.to_string()
            }
        },
        message: round_notice,
        summary,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RoundQuery {
    plan: Option<String>,
    done: Option<String>,
    id: Option<String>,
    /// An achievement whose title and institution prefill the 顕著な成果 form (ignored when it
    /// is not one of the year's notable public achievements).
    achievement: Option<String>,
}

/// `GET /rounds/{fy}[?plan=][&done=&id=]`: one round, with the notice of the last form.
pub(crate) async fn round_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppQuery(query): AppQuery<RoundQuery>,
) -> Result<Html<String>, WebError> {
    let fy = parse_fy(&fy)?;
    let feedback = Feedback {
        done: query.done.map(|done| (done, query.id.unwrap_or_default())),
        achievement: query.achievement.and_then(|a| a.trim().parse().ok()),
        ..Feedback::default()
    };
    let page = render_round(
        &state,
        &user,
        lang,
        &here,
        query.plan.as_deref(),
        fy,
        feedback,
    )
    .await?;
    Ok(Html(page.render()?))
}

/// The round again with a refusal (422).
pub(crate) async fn refused_round(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan_id: &str,
    fy: FiscalYear,
    feedback: Feedback,
) -> Result<Response, WebError> {
    let page = render_round(state, user, lang, here, Some(plan_id), fy, feedback).await?;
    Ok(refused(page.render()?))
}

/// After a form: back to the row edited with its notice when done, the round with the
/// refusal when refused.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn after_form(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan_id: &str,
    fy: FiscalYear,
    outcome: Result<Done, String>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(done) => Ok(Redirect::to(&done.href(plan_id, fy)).into_response()),
        Err(message) => {
            let feedback = Feedback {
                error: Some(message),
                ..Feedback::default()
            };
            refused_round(state, user, lang, here, plan_id, fy, feedback).await
        }
    }
}
