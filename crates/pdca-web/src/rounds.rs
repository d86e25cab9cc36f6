//! The follow-up cycle in the browser: the rounds of a plan, one round's page (state, the
//! three viewpoints, the previous policy's follow-up, meetings), the traceability view of an
//! indicator, the iCalendar feed and each user's task list. Who may read what is decided here
//! once ([`may_read`], [`readable_meetings`]) and who may add which item ([`may_add`]), for the
//! pages and the API alike; who may write at all is each write route's [`Permitted`] set: the
//! secretariat opens, moves and closes rounds and adds meetings, minutes and materials; the
//! secretariat and committee members record ratings.

use askama::Template;
use axum::Router;
use axum::extract::multipart::Multipart;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use pdca_core::access::{ActualState, Role};
use pdca_core::evaluation::Rating;
use pdca_core::follow_up::{
    FollowUpRound, ItemKind, Link, LinkKind, Meeting, NewItem, NewRating, RoundError, RoundItem,
    RoundState, default_schedule, parse_date, parse_rating,
};
use pdca_core::{FiscalYear, Plan};
use pdca_store::{StoreError, Visibility};
use serde::Deserialize;

use crate::auth::{CurrentUser, Permitted, Writers, who};
use crate::i18n::{self, Lang};
use crate::upload::{FormProblem, MAX_FILE_BYTES, read_form};
use crate::view::{
    AppForm, AppPath, AppQuery, Chrome, Here, choose_plan, encode_query, not_utf8, parse_fy,
    refused,
};
use crate::{AppState, WebError};
use pdca_app::follow_up::{RoundView, calendar_ics, rating_matrix};

/// The routes of this module.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/rounds", get(rounds_page).post(open_round))
        .route("/rounds/{fy}", get(round_page))
        .route("/rounds/{fy}/state", post(change_state))
        .route("/rounds/{fy}/ratings", post(rate))
        .route("/rounds/{fy}/items", post(add_item))
        .route("/rounds/{fy}/items/{id}/reflected", post(mark_reflected))
        .route("/rounds/{fy}/meetings", post(add_meeting))
        .route("/meetings/{id}/materials/{label}", get(material_file))
        .route("/rounds/{fy}/meetings/{id}/minutes", post(record_minutes))
        .route(
            "/rounds/{fy}/meetings/{id}/materials",
            post(attach_material).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 1024 * 1024)),
        )
        .route("/rounds/{fy}/report/{format}", get(download_report))
        .route("/trace/{indicator}", get(trace_page))
        .route("/calendar.ics", get(calendar))
        .route("/tasks", get(tasks_page))
}

// ---------------------------------------------------------------------------------------------
// Who may do what

/// Viewers read closed rounds only; every other role reads every round.
pub(crate) fn may_read(user: &CurrentUser, round: &FollowUpRound) -> Result<(), WebError> {
    if user.role() == Role::Viewer && round.state != RoundState::Closed {
        return Err(WebError::Forbidden);
    }
    Ok(())
}

/// The meetings of the plan the user may read, by date: every meeting, but for a viewer only
/// those of the rounds it may read (closed ones). A meeting of no round is not a closed
/// round's, so a viewer does not see it either: its agenda and files may not be public yet.
pub(crate) async fn readable_meetings(
    state: &AppState,
    user: &CurrentUser,
    plan_id: &str,
) -> Result<Vec<Meeting>, WebError> {
    let meetings = state.store.meetings(plan_id).await?;
    if user.role() != Role::Viewer {
        return Ok(meetings);
    }
    let readable: Vec<FiscalYear> = state
        .store
        .rounds(plan_id)
        .await?
        .iter()
        .filter(|r| may_read(user, r).is_ok())
        .map(|r| r.fiscal_year)
        .collect();
    Ok(meetings
        .into_iter()
        .filter(|m| m.fiscal_year.is_some_and(|fy| readable.contains(&fy)))
        .collect())
}

/// Who adds which item: the secretariat everything; committee members notable results,
/// priority items and opinions; a body its own priority measures and clause statuses, about
/// its own indicators only. A body's item without a body is taken as its own.
pub(crate) fn may_add(
    user: &CurrentUser,
    plan: &Plan,
    kind: ItemKind,
    item: &mut NewItem,
) -> Result<(), WebError> {
    match (user.role(), kind) {
        (Role::Secretariat, _) => Ok(()),
        (Role::Committee, ItemKind::NotableResult | ItemKind::PriorityItem | ItemKind::Opinion) => {
            Ok(())
        }
        (Role::Body, ItemKind::PriorityMeasure | ItemKind::ClauseStatus) => {
            let own = user.user.body.clone().ok_or(WebError::Forbidden)?;
            match &item.body_id {
                None => item.body_id = Some(own.clone()),
                Some(body) if *body == own => {}
                Some(_) => return Err(WebError::Forbidden),
            }
            let foreign = item.links.iter().any(|l| {
                l.kind == LinkKind::Indicator
                    && plan
                        .indicator(&l.id)
                        .is_none_or(|i| !i.assignments.iter().any(|a| a.body == own))
            });
            if foreign {
                return Err(WebError::Forbidden);
            }
            Ok(())
        }
        _ => Err(WebError::Forbidden),
    }
}

/// Whether the user may add items of `kind` at all (which forms the page shows).
fn shows_form(role: Role, kind: ItemKind) -> bool {
    match role {
        Role::Secretariat => true,
        Role::Committee => matches!(
            kind,
            ItemKind::NotableResult | ItemKind::PriorityItem | ItemKind::Opinion
        ),
        Role::Body => matches!(kind, ItemKind::PriorityMeasure | ItemKind::ClauseStatus),
        Role::Viewer => false,
    }
}

/// A store error a person can act on, as a message for the page; other errors pass through.
fn refusal(error: StoreError) -> Result<String, WebError> {
    match error {
        StoreError::Round(e) => Ok(e.to_string()),
        StoreError::Invalid(m) => Ok(m),
        StoreError::NotFound(what) => Ok(format!("{what}が見つかりません")),
        other => Err(other.into()),
    }
}

/// What every form posted to a round checks once its role has been (by [`Permitted`], before
/// the body was read), in this order: the session's token, the year in the path, the plan named.
async fn checked_form(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    fy: &str,
    plan: &Option<String>,
) -> Result<(FiscalYear, Plan), WebError> {
    user.check_csrf(csrf)?;
    let fy = parse_fy(fy)?;
    let plan = choose_plan(&state.store, plan.as_deref()).await?;
    Ok((fy, plan))
}

/// Links written in a form field: ids and `#n` separated by spaces or commas.
pub(crate) fn parse_links(text: &str, plan: &Plan) -> Result<Vec<Link>, RoundError> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '、' || c == '，')
        .filter(|t| !t.is_empty())
        .map(|t| Link::parse(t, plan))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The list of rounds

#[derive(Debug, Default, Deserialize)]
struct PlanOnly {
    plan: Option<String>,
}

struct RoundRow {
    fy: i32,
    fy_label: String,
    state: &'static str,
    deadline: String,
}

struct MatrixRow {
    id: String,
    name: String,
    ratings: Vec<String>,
}

#[derive(Template)]
#[template(path = "rounds.html")]
struct RoundsPage {
    c: Chrome,
    title: &'static str,
    plan_id: String,
    plan_name: String,
    rounds: Vec<RoundRow>,
    can_open: bool,
    default_fy: String,
    error: Option<String>,
    matrix_years: Vec<String>,
    matrix_counts: Vec<String>,
    matrix: Vec<MatrixRow>,
}

async fn render_rounds(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan: Option<&str>,
    error: Option<String>,
) -> Result<RoundsPage, WebError> {
    let plan = choose_plan(&state.store, plan).await?;
    let rounds: Vec<FollowUpRound> = state
        .store
        .rounds(&plan.id)
        .await?
        .into_iter()
        .filter(|r| may_read(user, r).is_ok())
        .collect();
    let mut history = Vec::new();
    for round in &rounds {
        history.push((
            round.fiscal_year,
            state
                .store
                .round_ratings(&plan.id, round.fiscal_year)
                .await?,
        ));
    }
    let matrix = rating_matrix(&plan, &history);
    let t = lang.text();
    let next_fy = rounds
        .last()
        .map_or(plan.period.start, |r| r.fiscal_year.next());
    Ok(RoundsPage {
        c: Chrome::new(lang, Some(user), here),
        title: t.rounds_title,
        plan_id: plan.id.clone(),
        plan_name: plan.name.clone(),
        rounds: rounds
            .iter()
            .map(|r| RoundRow {
                fy: r.fiscal_year.year(),
                fy_label: i18n::fiscal_year(lang, r.fiscal_year),
                state: i18n::round_state_label(lang, r.state),
                deadline: i18n::date(lang, r.deadline),
            })
            .collect(),
        can_open: user.role() == Role::Secretariat,
        default_fy: next_fy.year().to_string(),
        error,
        matrix_years: history
            .iter()
            .map(|(fy, _)| i18n::fiscal_year(lang, *fy))
            .collect(),
        matrix_counts: matrix["years"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|y| {
                y["counts"]["sentence"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect(),
        matrix: matrix["indicators"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| MatrixRow {
                id: row["id"].as_str().unwrap_or_default().to_owned(),
                name: row["name"].as_str().unwrap_or_default().to_owned(),
                ratings: row["ratings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| r.as_str().unwrap_or("ー").to_owned())
                    .collect(),
            })
            .collect(),
    })
}

/// `GET /rounds[?plan=]`: the plan's rounds, the ratings over the period, and (secretariat)
/// the form opening the next round.
async fn rounds_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Html<String>, WebError> {
    let page = render_rounds(&state, &user, lang, &here, query.plan.as_deref(), None).await?;
    Ok(Html(page.render()?))
}

#[derive(Debug, Deserialize)]
struct OpenForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    fy: String,
    #[serde(default)]
    deadline: String,
}

/// `POST /rounds`: `fy`, `deadline` (optional). Secretariat only.
async fn open_round(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppForm(form): AppForm<OpenForm>,
) -> Result<Response, WebError> {
    user.check_csrf(&form.csrf)?;
    let plan = choose_plan(&state.store, form.plan.as_deref()).await?;
    let fy = parse_fy(&form.fy)?;
    let deadline = match form.deadline.trim() {
        "" => Ok(default_schedule(fy).deadline),
        text => parse_date(text),
    };
    let result = match deadline {
        Ok(deadline) => state
            .store
            .open_round(&plan, fy, deadline, &user.user.name)
            .await
            .map_err(refusal),
        Err(e) => Err(Ok(e.to_string())),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&round_href(&plan.id, fy, Some("opened"))).into_response()),
        Err(message) => {
            let page =
                render_rounds(&state, &user, lang, &here, Some(&plan.id), Some(message?)).await?;
            Ok(refused(page.render()?))
        }
    }
}

fn round_href(plan_id: &str, fy: FiscalYear, done: Option<&str>) -> String {
    let mut pairs = vec![("plan", plan_id)];
    if let Some(done) = done {
        pairs.push(("done", done));
    }
    format!("/rounds/{}?{}", fy.year(), encode_query(pairs.into_iter()))
}

// ---------------------------------------------------------------------------------------------
// One round

struct IndicatorRow {
    id: String,
    name: String,
    sub: bool,
    proposal: String,
    status_class: &'static str,
    pace: String,
    rating: String,
    rating_value: String,
    reason: String,
    issue: String,
    solution: String,
    /// The rating's `recorded_at`, or `none`: what the form sends back.
    version: String,
}

struct ItemRow {
    id: i64,
    title: String,
    text: String,
    points: String,
    body: String,
    links: Vec<(String, String)>,
    budget: String,
    by: String,
    reflected: bool,
}

struct ItemSection {
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
}

struct ClauseRow {
    clause: ItemRow,
    statuses: Vec<ItemRow>,
    movements: Vec<String>,
}

struct MeetingRow {
    id: i64,
    title: String,
    mark: &'static str,
    date: String,
    agenda: Vec<String>,
    /// (label and title, download link when a file is attached).
    materials: Vec<(String, String)>,
    minutes: String,
}

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage {
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
    missing: Vec<String>,
    indicators: Vec<IndicatorRow>,
    sections: Vec<ItemSection>,
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
    message: Option<String>,
    error: Option<String>,
}

fn item_row(item: &RoundItem, plan: &Plan, plan_id: &str) -> ItemRow {
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
    }
}

/// The download button's label of a report format.
fn report_label(format: pdca_report::Format) -> &'static str {
    match format {
        pdca_report::Format::Pdf => "PDF",
        pdca_report::Format::Markdown => "Markdown",
        pdca_report::Format::Xlsx => "Excel (XLSX)",
    }
}

fn rating_letter(r: Option<Rating>) -> String {
    r.map_or_else(|| "ー".to_owned(), |r| format!("{r:?}"))
}

fn pace_text(p: Option<f64>) -> String {
    p.map_or_else(|| "ー".to_owned(), |p| format!("{:.0}%", p * 100.0))
}

#[allow(clippy::too_many_arguments)]
async fn render_round(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan_id: Option<&str>,
    fy: FiscalYear,
    message: Option<String>,
    error: Option<String>,
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
    let indicators = view
        .plan
        .indicators()
        .zip(&view.evaluation.indicators)
        .map(|((_, indicator), e)| {
            let r = view.rating(&indicator.id);
            IndicatorRow {
                id: indicator.id.clone(),
                name: indicator.name.clone(),
                sub: indicator.parent.is_some(),
                proposal: t.status_short(e.status).to_owned(),
                status_class: crate::view::status_class(e.status),
                pace: pace_text(e.pace),
                rating: rating_letter(r.map(|r| r.rating)),
                rating_value: r
                    .map(|r| format!("{:?}", r.rating))
                    .or_else(|| e.rating.map(|r| format!("{r:?}")))
                    .unwrap_or_default(),
                reason: r.and_then(|r| r.reason.clone()).unwrap_or_default(),
                issue: r.and_then(|r| r.issue.clone()).unwrap_or_default(),
                solution: r.and_then(|r| r.solution.clone()).unwrap_or_default(),
                version: r.map_or_else(|| "none".to_owned(), |r| r.recorded_at.clone()),
            }
        })
        .collect();
    let sections = ItemKind::ALL
        .into_iter()
        .map(|kind| ItemSection {
            kind: kind.as_str(),
            label: i18n::item_kind_label(lang, kind),
            items: view
                .items(kind)
                .map(|i| item_row(i, &view.plan, &plan.id))
                .collect(),
            form: open && shows_form(role, kind),
            needs_title: matches!(kind, ItemKind::PriorityItem | ItemKind::PolicyClause),
            needs_points: kind == ItemKind::PriorityItem,
            needs_body: matches!(kind, ItemKind::PriorityMeasure | ItemKind::ClauseStatus),
            needs_budget: kind == ItemKind::PolicyClause,
            needs_meeting: kind == ItemKind::Opinion && !view.meetings.is_empty(),
            needs_revision: kind == ItemKind::RevisionProposal,
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
                    format!(
                        "{}: {} → {}（{} → {}）",
                        m.indicator_id,
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
        })
        .collect();
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
        missing: if open {
            view.missing.iter().map(ToString::to_string).collect()
        } else {
            Vec::new()
        },
        indicators,
        sections,
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
        message,
        error,
    })
}

#[derive(Debug, Default, Deserialize)]
struct RoundQuery {
    plan: Option<String>,
    done: Option<String>,
}

/// `GET /rounds/{fy}[?plan=]`: one round.
async fn round_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppQuery(query): AppQuery<RoundQuery>,
) -> Result<Html<String>, WebError> {
    let fy = parse_fy(&fy)?;
    let message = query.done.map(|_| lang.text().round_done.to_owned());
    let page = render_round(
        &state,
        &user,
        lang,
        &here,
        query.plan.as_deref(),
        fy,
        message,
        None,
    )
    .await?;
    Ok(Html(page.render()?))
}

/// After a form: back to the round when done, the round with the refusal when refused.
#[allow(clippy::too_many_arguments)]
async fn after_form(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    here: &Here,
    plan_id: &str,
    fy: FiscalYear,
    outcome: Result<(), String>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&round_href(plan_id, fy, Some("saved"))).into_response()),
        Err(message) => {
            let page = render_round(
                state,
                user,
                lang,
                here,
                Some(plan_id),
                fy,
                None,
                Some(message),
            )
            .await?;
            Ok(refused(page.render()?))
        }
    }
}

#[derive(Debug, Deserialize)]
struct StateForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

/// `POST /rounds/{fy}/state`: `action=advance|close|reopen`, `reason` (reopen). Secretariat.
async fn change_state(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppForm(form): AppForm<StateForm>,
) -> Result<Response, WebError> {
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let outcome = apply_state(&state, &user, &plan, fy, &form.action, &form.reason).await?;
    after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await
}

/// Advances, closes or reopens; `Ok(Err(message))` when the rules refuse.
pub(crate) async fn apply_state(
    state: &AppState,
    user: &CurrentUser,
    plan: &Plan,
    fy: FiscalYear,
    action: &str,
    reason: &str,
) -> Result<Result<(), String>, WebError> {
    let actor = user.user.name.as_str();
    let result = match action {
        "advance" => state
            .store
            .advance_round(&plan.id, fy, actor)
            .await
            .map(|_| ()),
        "close" => {
            let in_force = match state.store.plan_history(&plan.id).await? {
                Some(history) => history.in_force(fy).clone(),
                None => plan.clone(),
            };
            state
                .store
                .close_round(&in_force, fy, actor)
                .await
                .map(|_| ())
        }
        "reopen" => state.store.reopen_round(&plan.id, fy, reason, actor).await,
        other => {
            return Err(WebError::BadRequest {
                param: "action".to_owned(),
                message: format!("「{other}」: action は advance、close、reopen のいずれかです"),
            });
        }
    };
    Ok(match result {
        Ok(()) => Ok(()),
        Err(e) => Err(refusal(e)?),
    })
}

#[derive(Debug, Deserialize)]
struct RateForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    rating: String,
    reason: Option<String>,
    issue: Option<String>,
    solution: Option<String>,
    /// The `recorded_at` of the rating the form showed, `none` when it showed none.
    version: Option<String>,
}

/// The optimistic check a form or a request asks for: its `version` field (`none`: no rating
/// was read); without one, no check.
fn expected_version(version: Option<&str>) -> Option<Option<&str>> {
    match version.map(str::trim) {
        None | Some("") => None,
        Some("none") => Some(None),
        Some(at) => Some(Some(at)),
    }
}

/// `POST /rounds/{fy}/ratings`: `indicator`, `rating`, `reason`, `issue`, `solution`.
async fn rate(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Raters>,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppForm(form): AppForm<RateForm>,
) -> Result<Response, WebError> {
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let request = RatingRequest {
        indicator: form.indicator,
        rating: form.rating,
        reason: form.reason,
        issue: form.issue,
        solution: form.solution,
        version: form.version,
    };
    let outcome = apply_rating(&state, &user, &plan, fy, request).await;
    match outcome {
        Ok(outcome) => after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await,
        Err(WebError::Store(e @ StoreError::Round(RoundError::RatingChanged { .. }))) => {
            let page = render_round(
                &state,
                &user,
                lang,
                &here,
                Some(&plan.id),
                fy,
                None,
                Some(e.to_string()),
            )
            .await?;
            Ok((StatusCode::CONFLICT, Html(page.render()?)).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Validates and records a rating; `Ok(Err(message))` when the rules refuse.
/// A rating as a form or a request sends it.
pub(crate) struct RatingRequest {
    pub indicator: String,
    pub rating: String,
    pub reason: Option<String>,
    pub issue: Option<String>,
    pub solution: Option<String>,
    /// The `recorded_at` of the rating read, `none` for none; no check without it.
    pub version: Option<String>,
}

pub(crate) async fn apply_rating(
    state: &AppState,
    user: &CurrentUser,
    plan: &Plan,
    fy: FiscalYear,
    request: RatingRequest,
) -> Result<Result<(), String>, WebError> {
    let RatingRequest {
        indicator,
        rating,
        reason,
        issue,
        solution,
        version,
    } = request;
    let expected = expected_version(version.as_deref());
    let view = match RoundView::load(&state.store, &plan.id, fy).await {
        Ok(view) => view,
        Err(pdca_app::follow_up::ViewError::Store(e)) => return Ok(Err(refusal(e)?)),
        Err(e) => return Ok(Err(e.to_string())),
    };
    let validated = parse_rating(&rating).and_then(|r| {
        NewRating {
            indicator_id: indicator,
            rating: r,
            reason,
            issue,
            solution,
        }
        .validate(&view.plan, &view.evaluation)
    });
    let rating = match validated {
        Ok(r) => r,
        Err(e) => return Ok(Err(e.to_string())),
    };
    Ok(
        match state
            .store
            .rate(&plan.id, fy, &rating, expected, &user.user.name)
            .await
        {
            Ok(()) => Ok(()),
            // A conflict is not a rule refusing the input: callers answer 409.
            Err(e @ StoreError::Round(RoundError::RatingChanged { .. })) => return Err(e.into()),
            Err(e) => Err(refusal(e)?),
        },
    )
}

#[derive(Debug, Deserialize)]
struct ItemForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
    title: Option<String>,
    points: Option<String>,
    body: Option<String>,
    #[serde(default)]
    links: String,
    budget: Option<String>,
    #[serde(default)]
    meeting: String,
    #[serde(default)]
    plan_revision: String,
}

/// `POST /rounds/{fy}/items`: `kind`, `text`, `title`, `points`, `body`, `links`, `budget`.
async fn add_item(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Contributors>,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppForm(form): AppForm<ItemForm>,
) -> Result<Response, WebError> {
    // Which kinds each role may add, and about what, is `may_add`'s (below).
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let kind: ItemKind = form
        .kind
        .parse()
        .map_err(|e: RoundError| WebError::BadRequest {
            param: "kind".to_owned(),
            message: e.to_string(),
        })?;
    let links = parse_links(&form.links, &plan);
    let number = |text: &str, what: &str| -> Result<Option<i64>, String> {
        let text = pdca_core::normalize::normalize_text(text);
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<i64>()
            .map(Some)
            .map_err(|_| format!("{what}「{text}」は数で書いてください"))
    };
    let meeting_id = number(&form.meeting, "会合");
    let plan_revision = number(&form.plan_revision, "計画の版");
    let outcome = match (links, meeting_id, plan_revision) {
        (Err(e), _, _) => Ok(Err(e.to_string())),
        (_, Err(e), _) | (_, _, Err(e)) => Ok(Err(e)),
        (Ok(links), Ok(meeting_id), Ok(plan_revision)) => {
            let item = NewItem {
                kind: Some(kind),
                title: form.title,
                text: form.text,
                points: form.points,
                body_id: form.body.filter(|b| !b.trim().is_empty()),
                links,
                budget: form.budget,
                meeting_id,
                plan_revision: plan_revision.and_then(|r| u32::try_from(r).ok()),
            };
            apply_item(&state, &user, &plan, fy, item)
                .await
                .map(|r| r.map(|_| ()))
        }
    }?;
    after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await
}

/// Checks the role, validates and adds an item; `Ok(Err(message))` when the rules refuse.
pub(crate) async fn apply_item(
    state: &AppState,
    user: &CurrentUser,
    plan: &Plan,
    fy: FiscalYear,
    mut item: NewItem,
) -> Result<Result<RoundItem, String>, WebError> {
    let kind = item.kind.ok_or_else(|| WebError::BadRequest {
        param: "kind".to_owned(),
        message: "項目の種類を指定してください".to_owned(),
    })?;
    may_add(user, plan, kind, &mut item)?;
    let (kind, item) = match item.validate(plan) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e.to_string())),
    };
    Ok(
        match state
            .store
            .add_item(&plan.id, fy, kind, &item, &user.user.name)
            .await
        {
            Ok(stored) => Ok(stored),
            Err(e) => Err(refusal(e)?),
        },
    )
}

#[derive(Debug, Deserialize)]
struct ReflectedForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    reflected: String,
}

/// `POST /rounds/{fy}/items/{id}/reflected`: `reflected=1|0`. Secretariat.
async fn mark_reflected(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath((fy, id)): AppPath<(String, i64)>,
    AppForm(form): AppForm<ReflectedForm>,
) -> Result<Response, WebError> {
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let outcome = match state
        .store
        .set_item_reflected(&plan.id, id, form.reflected != "0", &user.user.name)
        .await
    {
        Ok(()) => Ok(()),
        Err(e) => Err(refusal(e)?),
    };
    after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await
}

#[derive(Debug, Deserialize)]
struct MeetingForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    number: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    materials: String,
}

/// `POST /rounds/{fy}/meetings`: `number`, `kind` (1 or 2), `date`, `agenda` (one item per
/// line; drafted from the round when blank), `materials` (one `資料1:title` per line).
/// Secretariat.
async fn add_meeting(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath(fy): AppPath<String>,
    AppForm(form): AppForm<MeetingForm>,
) -> Result<Response, WebError> {
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let outcome = match new_meeting(&state, &plan, fy, &form).await? {
        Err(message) => Err(message),
        Ok(meeting) => match state.store.add_meeting(&meeting, &user.user.name).await {
            Ok(_) => Ok(()),
            Err(e) => Err(refusal(e)?),
        },
    };
    after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await
}

async fn new_meeting(
    state: &AppState,
    plan: &Plan,
    fy: FiscalYear,
    form: &MeetingForm,
) -> Result<Result<pdca_store::NewMeeting, String>, WebError> {
    let number = match pdca_core::normalize::normalize_text(&form.number).parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            return Ok(Err(format!(
                "回数「{}」は数で書いてください（第35回なら 35）",
                form.number
            )));
        }
    };
    let kind = match pdca_core::follow_up::MeetingKind::parse(&form.kind) {
        Ok(k) => k,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let date = match parse_date(&form.date) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let mut materials = Vec::new();
    for line in form.materials.lines().filter(|l| !l.trim().is_empty()) {
        match pdca_core::follow_up::Material::parse(line) {
            Ok(m) => materials.push((m, None)),
            Err(e) => return Ok(Err(e.to_string())),
        }
    }
    let agenda: Vec<String> = form
        .agenda
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let agenda = if agenda.is_empty() {
        let items = state.store.round_items(&plan.id, Some(fy)).await?;
        pdca_core::follow_up::draft_agenda(kind, plan, fy, &items)
    } else {
        agenda
    };
    Ok(Ok(pdca_store::NewMeeting {
        plan_id: plan.id.clone(),
        fiscal_year: Some(fy),
        committee: plan
            .committee
            .clone()
            .unwrap_or_else(|| pdca_core::follow_up::DEFAULT_COMMITTEE.to_owned()),
        number,
        kind,
        date,
        agenda,
        materials,
    }))
}

#[derive(Debug, Deserialize)]
struct MinutesForm {
    #[serde(default)]
    csrf: String,
    plan: Option<String>,
    #[serde(default)]
    minutes: String,
}

/// `POST /rounds/{fy}/meetings/{id}/minutes`: `minutes`. Secretariat.
async fn record_minutes(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath((fy, id)): AppPath<(String, i64)>,
    AppForm(form): AppForm<MinutesForm>,
) -> Result<Response, WebError> {
    let (fy, plan) = checked_form(&state, &user, &form.csrf, &fy, &form.plan).await?;
    let minutes = pdca_core::normalize::normalize_text(&form.minutes);
    let outcome = if minutes.is_empty() {
        Err(lang.text().meeting_minutes_empty.to_owned())
    } else {
        match state
            .store
            .set_minutes(&plan.id, id, &form.minutes, &user.user.name)
            .await
        {
            Ok(()) => Ok(()),
            Err(e) => Err(refusal(e)?),
        }
    };
    after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await
}

/// `POST /rounds/{fy}/meetings/{id}/materials` (multipart: `csrf`, `plan`, `label`, `title`,
/// `file`): attaches the file to the material `label` of the meeting, listed or new (a new one
/// needs a title). Secretariat.
async fn attach_material(
    State(state): State<AppState>,
    Permitted(user, _): Permitted<who::Secretariat>,
    lang: Lang,
    here: Here,
    AppPath((fy, id)): AppPath<(String, i64)>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let mut form = read_form(multipart).await.map_err(|problem| {
        let message = match problem {
            FormProblem::NotUtf8(field) => return not_utf8(&field),
            FormProblem::TooLarge => format!(
                "ファイルが大きすぎます（{} MB まで）",
                MAX_FILE_BYTES / 1024 / 1024
            ),
            FormProblem::Unreadable => "フォームを読めませんでした".to_owned(),
        };
        WebError::BadRequest {
            param: "file".to_owned(),
            message,
        }
    })?;
    let (file_name, content) = form.file.take().unwrap_or_default();
    let field = |name: &str| form.fields.get(name).map_or("", String::as_str);
    let plan_field = Some(field("plan").to_owned()).filter(|p| !p.is_empty());
    let (fy, plan) = checked_form(&state, &user, field("csrf"), &fy, &plan_field).await?;
    let outcome = match state
        .store
        .attach_material(
            &plan.id,
            id,
            field("label"),
            Some(field("title")),
            &file_name,
            &content,
            &user.user.name,
        )
        .await
    {
        Ok(()) => Ok(()),
        Err(e) => Err(refusal(e)?),
    };
    after_form(&state, &user, lang, &here, &plan.id, fy, outcome).await
}

/// `GET /meetings/{id}/materials/{label}[?plan=]`: a material's attached file, for whoever may
/// read the meeting ([`readable_meetings`]).
async fn material_file(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath((id, label)): AppPath<(i64, String)>,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Response, WebError> {
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let readable = readable_meetings(&state, &user, &plan.id).await?;
    if !readable.iter().any(|m| m.id == id) {
        let exists = state
            .store
            .meetings(&plan.id)
            .await?
            .iter()
            .any(|m| m.id == id);
        return Err(if exists {
            WebError::Forbidden
        } else {
            WebError::NotFound(format!("会合（id {id}）"))
        });
    }
    let (name, bytes) = state
        .store
        .material_file(&plan.id, id, &label)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("{label}のファイル")))?;
    let content_type = if name.to_ascii_lowercase().ends_with(".pdf") {
        "application/pdf"
    } else {
        "application/octet-stream"
    };
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC)
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The report of a round as a download: its bytes with the media type and a file name.
pub(crate) async fn report_file(
    state: &AppState,
    user: &CurrentUser,
    plan: &Plan,
    fy: FiscalYear,
    format: &str,
) -> Result<Response, WebError> {
    let format: pdca_report::Format =
        format
            .parse()
            .map_err(|e: pdca_report::UnknownFormat| WebError::BadRequest {
                param: "format".to_owned(),
                message: e.to_string(),
            })?;
    let round = state
        .store
        .round(&plan.id, fy)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("{}のフォローアップ", fy.wareki())))?;
    may_read(user, &round)?;
    let view = RoundView::load(&state.store, &plan.id, fy).await?;
    let report = view.report(None);
    let bytes = format
        .render(&report)
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let name = format!("followup-{}-{}.{}", plan.id, fy.year(), format.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /rounds/{fy}/report/{format}[?plan=]`: the round's report as pdf, xlsx or md.
async fn download_report(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath((fy, format)): AppPath<(String, String)>,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Response, WebError> {
    let fy = parse_fy(&fy)?;
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    report_file(&state, &user, &plan, fy, &format).await
}

// ---------------------------------------------------------------------------------------------
// Traceability

struct TraceYear {
    fy: String,
    fy_year: i32,
    proposal: String,
    pace: String,
    rating: String,
    reason: String,
    issue: String,
    solution: String,
    priorities: Vec<ItemRow>,
    clauses: Vec<ItemRow>,
    opinions: Vec<ItemRow>,
    next: String,
}

#[derive(Template)]
#[template(path = "trace.html")]
struct TracePage {
    c: Chrome,
    title: String,
    plan_id: String,
    indicator_id: String,
    indicator_name: String,
    years: Vec<TraceYear>,
}

/// `GET /trace/{indicator}[?plan=]`: the chain from an indicator through every round: the
/// engine's proposal and the committee's rating, the issue and solution, the priority items
/// and opinions about it, the policy clauses that reflect it (directly or through a priority
/// item), and how it stood in the next round.
async fn trace_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppPath(indicator_id): AppPath<String>,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Html<String>, WebError> {
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let indicator = plan
        .indicator(&indicator_id)
        .ok_or_else(|| WebError::NotFound(format!("指標「{indicator_id}」")))?
        .clone();
    let rounds: Vec<FollowUpRound> = state
        .store
        .rounds(&plan.id)
        .await?
        .into_iter()
        .filter(|r| may_read(&user, r).is_ok())
        .collect();
    let t = lang.text();
    let years: Vec<FiscalYear> = rounds.iter().map(|r| r.fiscal_year).collect();
    let views = RoundView::load_all(&state.store, &plan.id, &years).await?;
    let about = |item: &RoundItem| {
        item.links
            .iter()
            .any(|l| l.kind == LinkKind::Indicator && l.id == indicator.id)
    };
    let mut years = Vec::new();
    for (n, view) in views.iter().enumerate() {
        let fy = view.content.round.fiscal_year;
        let e = view
            .evaluation
            .indicators
            .iter()
            .find(|e| e.id == indicator.id);
        let r = view.rating(&indicator.id);
        let priorities: Vec<&RoundItem> = view
            .items(ItemKind::PriorityItem)
            .filter(|i| about(i))
            .collect();
        let priority_links: Vec<String> = priorities.iter().map(|p| p.id.to_string()).collect();
        let clauses = view
            .items(ItemKind::PolicyClause)
            .filter(|c| {
                about(c)
                    || c.links
                        .iter()
                        .any(|l| l.kind == LinkKind::Item && priority_links.contains(&l.id))
            })
            .map(|c| item_row(c, &view.plan, &plan.id))
            .collect();
        let next = views.get(n + 1).map_or_else(String::new, |next| {
            let after = next
                .evaluation
                .indicators
                .iter()
                .find(|e| e.id == indicator.id);
            format!(
                "{}: {} {}, {} {}",
                i18n::fiscal_year(lang, next.content.round.fiscal_year),
                t.round_col_rating,
                rating_letter(next.rating(&indicator.id).map(|r| r.rating)),
                t.round_col_pace,
                pace_text(after.and_then(|e| e.pace))
            )
        });
        years.push(TraceYear {
            fy: i18n::fiscal_year(lang, fy),
            fy_year: fy.year(),
            proposal: e.map_or_else(String::new, |e| t.status_short(e.status).to_owned()),
            pace: pace_text(e.and_then(|e| e.pace)),
            rating: rating_letter(r.map(|r| r.rating)),
            reason: r.and_then(|r| r.reason.clone()).unwrap_or_default(),
            issue: r.and_then(|r| r.issue.clone()).unwrap_or_default(),
            solution: r.and_then(|r| r.solution.clone()).unwrap_or_default(),
            priorities: priorities
                .iter()
                .map(|p| item_row(p, &view.plan, &plan.id))
                .collect(),
            clauses,
            opinions: view
                .items(ItemKind::Opinion)
                .filter(|i| about(i))
                .map(|i| item_row(i, &view.plan, &plan.id))
                .collect(),
            next,
        });
    }
    let page = TracePage {
        c: Chrome::new(lang, Some(&user), &here),
        title: format!("{} — {}", t.trace_title, indicator.name),
        plan_id: plan.id.clone(),
        indicator_id: indicator.id.clone(),
        indicator_name: indicator.name.clone(),
        years,
    };
    Ok(Html(page.render()?))
}

// ---------------------------------------------------------------------------------------------
// Calendar and tasks

/// `GET /calendar.ics[?plan=]`: the deadlines of the rounds and the meetings the user may read,
/// as iCalendar.
async fn calendar(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Response, WebError> {
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let rounds: Vec<FollowUpRound> = state
        .store
        .rounds(&plan.id)
        .await?
        .into_iter()
        .filter(|r| may_read(&user, r).is_ok())
        .collect();
    let meetings = readable_meetings(&state, &user, &plan.id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"pdca.ics\"",
            ),
        ],
        calendar_ics(&plan, &rounds, &meetings),
    )
        .into_response())
}

struct Task {
    text: String,
    href: String,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    c: Chrome,
    title: &'static str,
    tasks: Vec<Task>,
}

/// Each user's tasks: reports overdue (a body's own, or all for the secretariat), values
/// awaiting approval (secretariat), B ratings without an issue and solution (secretariat and
/// committee), opinions requested from the committee in rounds at a meeting.
async fn tasks_for(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    plan: &Plan,
    today: time::Date,
) -> Result<Vec<Task>, WebError> {
    let role = user.role();
    let mut tasks = Vec::new();
    let rounds = state.store.rounds(&plan.id).await?;
    let current = state
        .store
        .current_actuals_as(&plan.id, Visibility::All)
        .await?;
    for round in rounds.iter().filter(|r| r.state.is_open()) {
        let fy = round.fiscal_year;
        let href = round_href(&plan.id, fy, None);
        if matches!(role, Role::Secretariat | Role::Body) {
            let own = user.user.body.as_deref();
            for (indicator, body) in overdue_reports(plan, round, &current, today) {
                if role == Role::Body && own != Some(body.as_str()) {
                    continue;
                }
                tasks.push(Task {
                    text: format!(
                        "{} {indicator}（{body}）: {}",
                        i18n::fiscal_year(lang, fy),
                        lang.text().round_deadline
                    ),
                    href: format!("/entry?fy={}", fy.year()),
                });
            }
        }
        if role == Role::Secretariat {
            let awaiting = current
                .iter()
                .filter(|c| c.contribution.year == fy && c.state == ActualState::Submitted)
                .count();
            if awaiting > 0 {
                tasks.push(Task {
                    text: format!(
                        "{}: {} {awaiting}",
                        i18n::fiscal_year(lang, fy),
                        lang.text().nav_approval
                    ),
                    href: format!("/approval?fy={}", fy.year()),
                });
            }
        }
        if matches!(role, Role::Secretariat | Role::Committee) {
            for rating in state.store.round_ratings(&plan.id, fy).await? {
                if rating.rating == Rating::B
                    && (rating.issue.is_none() || rating.solution.is_none())
                {
                    tasks.push(Task {
                        text: format!(
                            "{} {}: B — {}・{}",
                            i18n::fiscal_year(lang, fy),
                            rating.indicator_id,
                            lang.text().round_col_issue,
                            lang.text().round_col_solution
                        ),
                        href: href.clone(),
                    });
                }
            }
        }
        if role == Role::Committee && round.state != RoundState::Collecting {
            tasks.push(Task {
                text: format!(
                    "{}: {}",
                    i18n::fiscal_year(lang, fy),
                    i18n::item_kind_label(lang, ItemKind::Opinion)
                ),
                href: href.clone(),
            });
        }
    }
    Ok(tasks)
}

/// The (indicator, body) pairs whose report of the round's year is overdue: the round is
/// collecting, its deadline has passed, and the body has no value of the year beyond a draft.
fn overdue_reports(
    plan: &Plan,
    round: &FollowUpRound,
    current: &[pdca_store::StoredActual],
    today: time::Date,
) -> Vec<(String, String)> {
    if round.state != RoundState::Collecting || today <= round.deadline {
        return Vec::new();
    }
    let reported: std::collections::HashSet<(&str, &str)> = current
        .iter()
        .filter(|c| c.contribution.year == round.fiscal_year && c.state != ActualState::Draft)
        .map(|c| {
            (
                c.contribution.indicator.as_str(),
                c.contribution.body.as_str(),
            )
        })
        .collect();
    plan.indicators()
        .flat_map(|(_, indicator)| {
            indicator
                .assignments
                .iter()
                .filter(|a| !reported.contains(&(indicator.id.as_str(), a.body.as_str())))
                .map(|a| (indicator.id.clone(), a.body.clone()))
        })
        .collect()
}

/// Today in Japan, where the deadlines are.
pub(crate) fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(9, 0, 0).unwrap_or(time::UtcOffset::UTC))
        .date()
}

/// A dated line of the dashboard's schedule.
pub(crate) struct ScheduleRow {
    /// The day, in the page's language.
    pub date: String,
    /// What happens.
    pub text: String,
    /// Where to read more.
    pub href: String,
}

/// The dashboard's schedule (the open rounds' deadlines and their meetings, by date) and the
/// overdue reports of rounds past their deadline, per body: "AMED: 3件（p1-out-01, …）".
pub(crate) async fn schedule(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    plan: &Plan,
    rounds: &[FollowUpRound],
    meetings: &[pdca_core::follow_up::Meeting],
) -> Result<(Vec<ScheduleRow>, Vec<String>), WebError> {
    let rounds: Vec<&FollowUpRound> = rounds
        .iter()
        .filter(|r| r.state.is_open() && may_read(user, r).is_ok())
        .collect();
    if rounds.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let t = lang.text();
    let mut rows: Vec<(time::Date, ScheduleRow)> = Vec::new();
    for round in &rounds {
        rows.push((
            round.deadline,
            ScheduleRow {
                date: i18n::date(lang, round.deadline),
                text: format!(
                    "{} {}（{}）",
                    i18n::fiscal_year(lang, round.fiscal_year),
                    t.round_deadline,
                    i18n::round_state_label(lang, round.state)
                ),
                href: round_href(&plan.id, round.fiscal_year, None),
            },
        ));
    }
    for meeting in meetings {
        if let Some(fy) = meeting.fiscal_year
            && rounds.iter().any(|r| r.fiscal_year == fy)
        {
            rows.push((
                meeting.date,
                ScheduleRow {
                    date: i18n::date(lang, meeting.date),
                    text: format!("{}（{}）", meeting.title(), meeting.kind.mark()),
                    href: round_href(&plan.id, fy, None),
                },
            ));
        }
    }
    rows.sort_by_key(|(date, _)| *date);
    let today = today();
    let mut overdue = Vec::new();
    if rounds
        .iter()
        .any(|r| r.state == RoundState::Collecting && today > r.deadline)
    {
        let current = state
            .store
            .current_actuals_as(&plan.id, Visibility::All)
            .await?;
        for round in rounds.iter().copied() {
            let mut by_body: std::collections::BTreeMap<String, Vec<String>> =
                std::collections::BTreeMap::new();
            for (indicator, body) in overdue_reports(plan, round, &current, today) {
                by_body.entry(body).or_default().push(indicator);
            }
            for (body, indicators) in by_body {
                let name = plan.body(&body).map_or(body.clone(), |b| {
                    b.short_name.clone().unwrap_or(b.name.clone())
                });
                overdue.push(format!(
                    "{} {name}: {}（{}）",
                    i18n::fiscal_year(lang, round.fiscal_year),
                    indicators.len(),
                    indicators.join(", ")
                ));
            }
        }
    }
    Ok((rows.into_iter().map(|(_, row)| row).collect(), overdue))
}

/// `GET /tasks`: the signed-in user's task list.
async fn tasks_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Html<String>, WebError> {
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let tasks = tasks_for(&state, &user, lang, &plan, today()).await?;
    let page = TasksPage {
        c: Chrome::new(lang, Some(&user), &here),
        title: lang.text().tasks_title,
        tasks,
    };
    Ok(Html(page.render()?))
}
