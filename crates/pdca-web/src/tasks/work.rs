//! What each role has to do, built from everything the store holds (not only from open rounds):
//! a body's indicators of the year being reported (returned, not yet reported, awaiting
//! approval, reported) and its values returned in any year; the secretariat's reporting status
//! per body, approval queue, ratings missing and B ratings without an issue or a solution; the
//! committee's indicators awaiting its rating and its opinions. `/tasks` shows all of it, the
//! home page a summary.

use std::collections::BTreeMap;

use pdca_core::access::{ActualState, Role};
use pdca_core::evaluation::Rating;
use pdca_core::follow_up::{FollowUpRound, Meeting, RoundState};
use pdca_core::{FiscalYear, Plan};
use pdca_store::{StoredActual, Visibility};

use crate::follow_up::round_page::round_href;
use crate::follow_up::rounds::may_read;
use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{self, Lang};
use crate::frame::view::encode_query;
use crate::{AppState, WebError};

/// One line of work: an indicator (by name, with its project), where it stands, a date and a
/// direct link to the place where the work is done.
pub(crate) struct WorkLine {
    /// The indicator's name (a sub-target with its parent's).
    pub name: String,
    /// Its project's name.
    pub project: String,
    /// Where it stands: 差戻し, 未報告, 承認待ち …
    pub state: String,
    /// The CSS modifier of the state: returned, missing, waiting, done.
    pub tone: &'static str,
    /// A reason or remark (the secretariat's reason for a return), possibly empty.
    pub detail: String,
    /// What the detail is (「事務局からの差戻しの理由」), possibly empty.
    pub detail_label: &'static str,
    /// What the date is: 報告期限, 差戻し日 …
    pub date_label: &'static str,
    /// The date in the page's language, possibly empty.
    pub date: String,
    /// Days left or past: あと12日, 期限を3日過ぎています, possibly empty.
    pub days: String,
    /// Whether the deadline has passed.
    pub overdue: bool,
    /// Where the work is done.
    pub href: String,
}

/// A group of lines under a heading.
pub(crate) struct WorkSection {
    /// The element id of the section (a fragment of `/tasks`).
    pub id: &'static str,
    /// The heading.
    pub heading: &'static str,
    /// A sentence under the heading (the year and its deadline), possibly empty.
    pub note: String,
    /// The lines.
    pub lines: Vec<WorkLine>,
    /// Lines that are not work left (reported values): shown folded on `/tasks`, not at home.
    pub folded: bool,
}

/// The reporting status of one body (the secretariat's 報告状況).
pub(crate) struct BodyStatus {
    /// The body's name.
    pub name: String,
    /// Values submitted, approved or locked.
    pub submitted: usize,
    /// Indicators assigned to the body.
    pub total: usize,
    /// Values returned.
    pub returned: usize,
    /// Indicators without a submitted value (none, a draft).
    pub unreported: usize,
    /// The body's entry form of the year.
    pub href: String,
    /// The link's accessible text.
    pub link_text: String,
}

/// Everything the user has to do.
pub(crate) struct Work {
    /// The secretariat's reporting status per body (empty for the other roles).
    pub bodies: Vec<BodyStatus>,
    /// The caption of that table.
    pub bodies_caption: String,
    /// The year's deadline under the table.
    pub bodies_note: String,
    /// The sections, in the order of urgency.
    pub sections: Vec<WorkSection>,
}

impl Work {
    /// Whether there is nothing at all to show.
    pub fn is_empty(&self) -> bool {
        self.bodies.is_empty() && self.sections.iter().all(|s| s.lines.is_empty())
    }
}

/// `template` with `{key}` replaced by `value`.
pub(crate) fn fill(template: &str, key: &str, value: &str) -> String {
    template.replace(&format!("{{{key}}}"), value)
}

/// The year being reported and its deadline: the newest open round's, else the plan's last
/// year before the current one (no deadline).
fn report_year(
    plan: &Plan,
    rounds: &[FollowUpRound],
    today: time::Date,
) -> (FiscalYear, Option<time::Date>) {
    let open = rounds
        .iter()
        .filter(|r| r.state.is_open())
        .max_by_key(|r| (r.state == RoundState::Collecting, r.fiscal_year));
    match open {
        Some(round) => (round.fiscal_year, Some(round.deadline)),
        None => (
            plan.period
                .years()
                .filter(|fy| fy.year() < today.year())
                .last()
                .unwrap_or(plan.period.start),
            None,
        ),
    }
}

/// Days left until `deadline`, in words, and whether it has passed.
pub(crate) fn days_left(lang: Lang, deadline: time::Date, today: time::Date) -> (String, bool) {
    let t = lang.text();
    let days = (deadline - today).whole_days();
    match days {
        0 => (t.work_due_today.to_owned(), false),
        d if d > 0 => (fill(t.work_days_left, "n", &d.to_string()), false),
        d => (fill(t.work_days_over, "n", &(-d).to_string()), true),
    }
}

/// An indicator's name as a line shows it (a sub-target after its parent's name) and its
/// project's name.
fn names(plan: &Plan, indicator_id: &str) -> (String, String) {
    match (plan.indicator(indicator_id), plan.project_of(indicator_id)) {
        (Some(indicator), Some(project)) => {
            (plan.full_name(indicator, "（", "）"), project.name.clone())
        }
        _ => (indicator_id.to_owned(), String::new()),
    }
}

/// The date part (in Japan) of a stored RFC 3339 timestamp, in the page's language.
fn day_of(lang: Lang, rfc3339: &str) -> String {
    let text = i18n::date_time(lang, rfc3339);
    match text.split_once(' ') {
        Some((day, _)) => day.to_owned(),
        None => text,
    }
}

/// `/entry` for `fy` (and `body`, for the secretariat), at the indicator's row.
fn entry_href(plan: &Plan, fy: FiscalYear, body: Option<&str>, indicator: Option<&str>) -> String {
    let year = fy.year().to_string();
    let mut pairs = vec![("plan", plan.id.as_str()), ("fy", year.as_str())];
    if let Some(body) = body {
        pairs.push(("body", body));
    }
    let query = encode_query(pairs.into_iter());
    match indicator {
        Some(id) => format!("/entry?{query}#ind-{id}"),
        None => format!("/entry?{query}"),
    }
}

/// The round page at the indicator's row.
fn round_row(plan: &Plan, fy: FiscalYear, indicator: &str) -> String {
    format!("{}#ind-{indicator}", round_href(&plan.id, fy, None))
}

/// A body's name as tables show it (its short name when it has one).
fn body_name(plan: &Plan, id: &str) -> String {
    plan.body(id).map_or_else(
        || id.to_owned(),
        |b| b.short_name.clone().unwrap_or_else(|| b.name.clone()),
    )
}

/// Everything `user` has to do in `plan`, as of `today`.
pub(crate) async fn work_for(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    plan: &Plan,
    today: time::Date,
) -> Result<Work, WebError> {
    let rounds = state.store.rounds(&plan.id).await?;
    let mut work = Work {
        bodies: Vec::new(),
        bodies_caption: String::new(),
        bodies_note: String::new(),
        sections: Vec::new(),
    };
    match user.role() {
        Role::Body => {
            if let Some(body) = user.user.body.as_deref() {
                let current = state
                    .store
                    .current_actuals_as(&plan.id, Visibility::All)
                    .await?;
                body_work(&mut work, lang, plan, &rounds, &current, body, today);
            }
        }
        Role::Secretariat => {
            let current = state
                .store
                .current_actuals_as(&plan.id, Visibility::All)
                .await?;
            secretariat_status(&mut work, lang, plan, &rounds, &current, today);
            approval_queue(&mut work, lang, &current);
            duplicate_work(state, &mut work, lang, plan).await?;
            let meetings = state.store.meetings(&plan.id).await?;
            round_work(
                state, &mut work, user, lang, plan, &rounds, &meetings, today,
            )
            .await?;
        }
        Role::Committee => {
            let meetings = state.store.meetings(&plan.id).await?;
            round_work(
                state, &mut work, user, lang, plan, &rounds, &meetings, today,
            )
            .await?;
        }
        Role::Viewer => {}
    }
    Ok(work)
}

/// A body's indicators of the year being reported, and its values returned in any year.
fn body_work(
    work: &mut Work,
    lang: Lang,
    plan: &Plan,
    rounds: &[FollowUpRound],
    current: &[StoredActual],
    body: &str,
    today: time::Date,
) {
    let t = lang.text();
    let (fy, deadline) = report_year(plan, rounds, today);
    let own: BTreeMap<(&str, FiscalYear), &StoredActual> = current
        .iter()
        .filter(|a| a.contribution.body == body)
        .map(|a| ((a.contribution.indicator.as_str(), a.contribution.year), a))
        .collect();
    let (days, overdue) = deadline.map_or((String::new(), false), |d| days_left(lang, d, today));
    // Without a round, the usual schedule's deadline, as a date only.
    let (deadline_label, deadline_text) = match deadline {
        Some(d) => (t.work_deadline, i18n::date(lang, d)),
        None => (
            t.work_deadline_usual,
            i18n::date(lang, pdca_core::follow_up::default_schedule(fy).deadline),
        ),
    };
    let line = |id: &str, year: FiscalYear, state: String, tone: &'static str| {
        let (name, project) = names(plan, id);
        WorkLine {
            name,
            project,
            state,
            tone,
            detail: String::new(),
            detail_label: "",
            date_label: deadline_label,
            date: deadline_text.clone(),
            days: days.clone(),
            overdue,
            href: entry_href(plan, year, None, Some(id)),
        }
    };
    let mut returned = Vec::new();
    let mut unreported = Vec::new();
    let mut awaiting = Vec::new();
    let mut reported = Vec::new();
    // Returned values of earlier (or later) years first: they are work left too.
    for ((id, year), actual) in &own {
        if *year != fy && actual.state == ActualState::Returned {
            let mut l = line(id, *year, t.work_state_returned.to_owned(), "returned");
            l.state = format!(
                "{} {}",
                i18n::fiscal_year(lang, *year),
                t.work_state_returned
            );
            l.detail_label = t.work_reason;
            l.detail = actual
                .review_comment
                .clone()
                .unwrap_or_else(|| t.work_no_reason.to_owned());
            l.date_label = t.work_returned_on;
            l.date = day_of(lang, &actual.recorded_at);
            l.days = String::new();
            l.overdue = false;
            returned.push(l);
        }
    }
    for (_, indicator) in plan.indicators() {
        if !indicator.assignments.iter().any(|a| a.body == body) {
            continue;
        }
        let id = indicator.id.as_str();
        match own.get(&(id, fy)).map(|a| (a.state, *a)) {
            None => unreported.push(line(id, fy, t.work_state_unreported.to_owned(), "missing")),
            Some((ActualState::Draft, _)) => {
                unreported.push(line(id, fy, t.work_state_draft.to_owned(), "missing"));
            }
            Some((ActualState::Returned, a)) => {
                let mut l = line(id, fy, t.work_state_returned.to_owned(), "returned");
                l.detail_label = t.work_reason;
                l.detail = a
                    .review_comment
                    .clone()
                    .unwrap_or_else(|| t.work_no_reason.to_owned());
                returned.push(l);
            }
            Some((ActualState::Submitted, a)) => {
                let mut l = line(id, fy, t.work_state_awaiting.to_owned(), "waiting");
                l.date_label = t.work_submitted_on;
                l.date = day_of(lang, &a.recorded_at);
                l.days = String::new();
                l.overdue = false;
                awaiting.push(l);
            }
            Some((ActualState::Approved | ActualState::Locked, a)) => {
                let mut l = line(id, fy, t.work_state_reported.to_owned(), "done");
                l.date_label = t.work_approved_on;
                l.date = day_of(lang, &a.recorded_at);
                l.days = String::new();
                l.overdue = false;
                reported.push(l);
            }
        }
    }
    let note = match deadline {
        Some(d) => format!(
            "{}: {} {}（{}）",
            fill(t.work_report_of, "fy", &i18n::fiscal_year(lang, fy)),
            t.work_deadline,
            i18n::date(lang, d),
            days
        ),
        None => format!(
            "{}: {}",
            fill(t.work_report_of, "fy", &i18n::fiscal_year(lang, fy)),
            fill(t.work_no_deadline, "date", &deadline_text)
        ),
    };
    for (id, heading, lines, folded) in [
        ("work-returned", t.work_sec_returned, returned, false),
        ("work-unreported", t.work_sec_unreported, unreported, false),
        ("work-awaiting", t.work_sec_awaiting, awaiting, false),
        ("work-reported", t.work_sec_reported, reported, true),
    ] {
        work.sections.push(WorkSection {
            id,
            heading,
            note: if id == "work-unreported" {
                note.clone()
            } else {
                String::new()
            },
            lines,
            folded,
        });
    }
}

/// The secretariat's reporting status of the year being reported, per body.
fn secretariat_status(
    work: &mut Work,
    lang: Lang,
    plan: &Plan,
    rounds: &[FollowUpRound],
    current: &[StoredActual],
    today: time::Date,
) {
    let t = lang.text();
    let (fy, deadline) = report_year(plan, rounds, today);
    let states: BTreeMap<(&str, &str), ActualState> = current
        .iter()
        .filter(|a| a.contribution.year == fy)
        .map(|a| {
            (
                (
                    a.contribution.indicator.as_str(),
                    a.contribution.body.as_str(),
                ),
                a.state,
            )
        })
        .collect();
    for body in &plan.bodies {
        let assigned: Vec<&str> = plan
            .indicators()
            .filter(|(_, i)| i.assignments.iter().any(|a| a.body == body.id))
            .map(|(_, i)| i.id.as_str())
            .collect();
        if assigned.is_empty() {
            continue;
        }
        let state = |id: &str| states.get(&(id, body.id.as_str())).copied();
        let submitted = assigned
            .iter()
            .filter(|id| {
                matches!(
                    state(id),
                    Some(ActualState::Submitted | ActualState::Approved | ActualState::Locked)
                )
            })
            .count();
        let returned = assigned
            .iter()
            .filter(|id| state(id) == Some(ActualState::Returned))
            .count();
        let name = body_name(plan, &body.id);
        work.bodies.push(BodyStatus {
            submitted,
            total: assigned.len(),
            returned,
            unreported: assigned.len() - submitted - returned,
            href: entry_href(plan, fy, Some(&body.id), None),
            link_text: fill(t.work_open_entry, "body", &name),
            name,
        });
    }
    work.bodies_caption = fill(t.work_status_caption, "fy", &i18n::fiscal_year(lang, fy));
    work.bodies_note = match deadline {
        Some(d) => format!(
            "{}: {}（{}）",
            t.work_deadline,
            i18n::date(lang, d),
            days_left(lang, d, today).0
        ),
        None => fill(
            t.work_no_deadline,
            "date",
            &i18n::date(lang, pdca_core::follow_up::default_schedule(fy).deadline),
        ),
    };
}

/// The values awaiting the secretariat's approval, one line per year.
fn approval_queue(work: &mut Work, lang: Lang, current: &[StoredActual]) {
    let t = lang.text();
    let mut by_year: BTreeMap<FiscalYear, (usize, &str)> = BTreeMap::new();
    for actual in current.iter().filter(|a| a.state == ActualState::Submitted) {
        let entry = by_year
            .entry(actual.contribution.year)
            .or_insert((0, actual.recorded_at.as_str()));
        entry.0 += 1;
        if actual.recorded_at.as_str() < entry.1 {
            entry.1 = actual.recorded_at.as_str();
        }
    }
    let lines = by_year
        .iter()
        .rev()
        .map(|(fy, (n, oldest))| WorkLine {
            name: fill(
                &fill(t.work_approval_line, "fy", &i18n::fiscal_year(lang, *fy)),
                "n",
                &n.to_string(),
            ),
            project: String::new(),
            state: t.work_state_awaiting.to_owned(),
            tone: "waiting",
            detail: String::new(),
            detail_label: "",
            date_label: t.work_oldest,
            date: day_of(lang, oldest),
            days: String::new(),
            overdue: false,
            href: format!("/approval?fy={}", fy.year()),
        })
        .collect();
    work.sections.push(WorkSection {
        id: "work-approval",
        heading: t.work_sec_approval,
        note: String::new(),
        lines,
        folded: false,
    });
}

/// The possible duplicate achievements waiting for the secretariat's decision, as one line
/// linking to the page where they are decided.
async fn duplicate_work(
    state: &AppState,
    work: &mut Work,
    lang: Lang,
    plan: &Plan,
) -> Result<(), WebError> {
    let t = lang.text();
    let open = crate::achievements::duplicates::open_pairs(state, plan).await?;
    let lines = (open > 0)
        .then(|| WorkLine {
            name: fill(t.work_duplicates_line, "n", &open.to_string()),
            project: String::new(),
            state: t.dup_status_open.to_owned(),
            tone: "waiting",
            detail: String::new(),
            detail_label: "",
            date_label: "",
            date: String::new(),
            days: String::new(),
            overdue: false,
            href: format!(
                "/achievements/duplicates?{}#open-pairs",
                encode_query([("plan", plan.id.as_str())].into_iter())
            ),
        })
        .into_iter()
        .collect();
    work.sections.push(WorkSection {
        id: "work-duplicates",
        heading: t.work_sec_duplicates,
        note: String::new(),
        lines,
        folded: false,
    });
    Ok(())
}

/// The next meeting of the round on or after `today`, if any.
fn next_meeting(meetings: &[Meeting], fy: FiscalYear, today: time::Date) -> Option<&Meeting> {
    meetings
        .iter()
        .filter(|m| m.fiscal_year == Some(fy) && m.date >= today)
        .min_by_key(|m| m.date)
}

/// The ratings missing, the B ratings without an issue or a solution (the secretariat and the
/// committee) and the opinions (the committee) of the open rounds the user may read.
#[allow(clippy::too_many_arguments)] // the work, who, and what it is built from
async fn round_work(
    state: &AppState,
    work: &mut Work,
    user: &CurrentUser,
    lang: Lang,
    plan: &Plan,
    rounds: &[FollowUpRound],
    meetings: &[Meeting],
    today: time::Date,
) -> Result<(), WebError> {
    let t = lang.text();
    let committee = user.role() == Role::Committee;
    let mut missing = Vec::new();
    let mut without = Vec::new();
    let mut opinions = Vec::new();
    let mut open: Vec<&FollowUpRound> = rounds
        .iter()
        .filter(|r| r.state.is_open() && may_read(user, r).is_ok())
        .collect();
    open.sort_by_key(|r| std::cmp::Reverse(r.fiscal_year));
    let several = open.len() > 1;
    for round in open {
        let fy = round.fiscal_year;
        let ratings = state.store.round_ratings(&plan.id, fy).await?;
        let meeting = next_meeting(meetings, fy, today);
        let (date_label, date, days, overdue) = match meeting {
            Some(m) => (
                t.work_meeting_on,
                i18n::date(lang, m.date),
                m.title(),
                false,
            ),
            // No meeting registered: the usual schedule's meeting that takes this work, or
            // the reports' deadline when the round keeps a later one than the usual schedule.
            None => {
                let usual = pdca_core::follow_up::default_schedule(fy);
                let (label, day) = match round.state {
                    RoundState::Meeting2 => (t.work_meeting_2_usual, usual.meeting_2),
                    _ => (t.work_meeting_1_usual, usual.meeting_1),
                };
                let (label, day) = if day > round.deadline {
                    (label, day)
                } else {
                    (t.work_deadline, round.deadline)
                };
                let (days, overdue) = days_left(lang, day, today);
                (label, i18n::date(lang, day), days, overdue)
            }
        };
        // Which round, when several are open.
        let round_name = if several {
            fill(t.work_round_of, "fy", &i18n::fiscal_year(lang, fy))
        } else {
            String::new()
        };
        let line = |id: &str, state: String, tone: &'static str| {
            let (name, project) = names(plan, id);
            WorkLine {
                name,
                project,
                state,
                tone,
                detail: round_name.clone(),
                detail_label: "",
                date_label,
                date: date.clone(),
                days: days.clone(),
                overdue,
                href: round_row(plan, fy, id),
            }
        };
        for (_, indicator) in plan.indicators() {
            if indicator.management {
                continue;
            }
            let id = indicator.id.as_str();
            match ratings.iter().find(|r| r.indicator_id == id) {
                None => missing.push(line(id, t.work_not_rated.to_owned(), "missing")),
                Some(r) if r.rating == Rating::B && (r.issue.is_none() || r.solution.is_none()) => {
                    let what = match (r.issue.is_none(), r.solution.is_none()) {
                        (true, true) => t.work_missing_issue_solution,
                        (true, false) => t.work_missing_issue,
                        _ => t.work_missing_solution,
                    };
                    without.push(line(id, format!("B・{what}"), "returned"));
                }
                Some(_) => {}
            }
        }
        if committee && round.state != RoundState::Collecting {
            opinions.push(WorkLine {
                name: fill(t.work_opinion_line, "fy", &i18n::fiscal_year(lang, fy)),
                project: String::new(),
                state: i18n::round_state_label(lang, round.state).to_owned(),
                tone: "waiting",
                detail: String::new(),
                detail_label: "",
                date_label,
                date: date.clone(),
                days: days.clone(),
                overdue,
                href: round_href(&plan.id, fy, None),
            });
        }
    }
    let missing_heading = if committee {
        t.work_sec_committee
    } else {
        t.work_sec_ratings
    };
    work.sections.push(WorkSection {
        id: "work-ratings",
        heading: missing_heading,
        note: String::new(),
        lines: missing,
        folded: false,
    });
    work.sections.push(WorkSection {
        id: "work-b",
        heading: t.work_sec_b,
        note: String::new(),
        lines: without,
        folded: false,
    });
    if committee {
        work.sections.push(WorkSection {
            id: "work-opinions",
            heading: t.work_sec_opinion,
            note: String::new(),
            lines: opinions,
            folded: false,
        });
    }
    Ok(())
}
