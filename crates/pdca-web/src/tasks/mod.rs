//! Each user's work (`/tasks`, and its summary on the home page) and the schedule that the
//! dashboard shows. What the work is: [`work`].

mod work;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use pdca_core::Plan;
use pdca_core::access::{ActualState, Role};
use pdca_core::follow_up::{FollowUpRound, RoundState};
use pdca_store::Visibility;

use crate::follow_up::round_page::round_href;
use crate::follow_up::rounds::{PlanOnly, may_read};
use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{self, Lang};
use crate::frame::view::{AppQuery, Chrome, Here, choose_plan};
use crate::{AppState, WebError};

pub(crate) use work::Work;
use work::work_for;

/// The routes of the task list.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/tasks", get(tasks_page))
}

#[derive(Template)]
#[template(path = "tasks/tasks.html")]
pub(crate) struct TasksPage {
    c: Chrome,
    title: &'static str,
    work: Work,
}

/// The summary of the user's work on the home page: per section, its count and first lines,
/// and a link to `/tasks`.
#[derive(Template)]
#[template(path = "tasks/home_work.html")]
struct HomeWork {
    t: &'static i18n::Text,
    work: Work,
}

impl HomeWork {
    /// The lines of `section` the summary shows.
    fn first_lines<'s>(&self, section: &'s work::WorkSection) -> &'s [work::WorkLine] {
        &section.lines[..section.lines.len().min(HOME_LINES)]
    }

    /// 「ほか5件」 when the summary leaves lines of `section` out.
    fn more_text(&self, section: &work::WorkSection) -> Option<String> {
        let more = section.lines.len().checked_sub(HOME_LINES)?;
        (more > 0).then(|| work::fill(self.t.work_home_more, "n", &more.to_string()))
    }
}

/// How many lines of each section the home page shows.
const HOME_LINES: usize = 3;

/// The home page's summary of `user`'s work in `plan` (an HTML fragment, empty for a user
/// with nothing to do, such as a viewer).
pub(crate) async fn home_work(
    state: &AppState,
    user: &CurrentUser,
    lang: Lang,
    plan: &Plan,
) -> Result<String, WebError> {
    // A viewer has no work: its home page costs no query for it.
    if user.role() == Role::Viewer {
        return Ok(String::new());
    }
    let work = work_for(state, user, lang, plan, today()).await?;
    let summary = HomeWork {
        t: lang.text(),
        work,
    };
    Ok(summary.render()?)
}

/// The (indicator, body) pairs whose report of the round's year is overdue: the round is
/// collecting, its deadline has passed, and the body has no value of the year beyond a draft.
pub(crate) fn overdue_reports(
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

/// `GET /tasks[?plan=ID]`: the signed-in user's work.
pub(crate) async fn tasks_page(
    State(state): State<AppState>,
    user: CurrentUser,
    lang: Lang,
    here: Here,
    AppQuery(query): AppQuery<PlanOnly>,
) -> Result<Html<String>, WebError> {
    let plan = choose_plan(&state.store, query.plan.as_deref()).await?;
    let work = work_for(&state, &user, lang, &plan, today()).await?;
    let page = TasksPage {
        c: Chrome::new(lang, Some(&user), &here),
        title: lang.text().tasks_title,
        work,
    };
    Ok(Html(page.render()?))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use work::{WorkLine, WorkSection};

    fn line(n: usize) -> WorkLine {
        WorkLine {
            name: format!("指標{n}"),
            project: "医薬品プロジェクト".to_owned(),
            state: "未報告".to_owned(),
            tone: "missing",
            detail: String::new(),
            detail_label: "",
            date_label: "報告期限",
            date: "令和7年4月30日".to_owned(),
            days: "あと3日".to_owned(),
            overdue: false,
            href: format!("/entry?fy=2024#ind-p1-out-0{n}"),
        }
    }

    #[test]
    fn the_home_summary_shows_the_first_lines_and_links_to_the_rest() {
        let summary = HomeWork {
            t: Lang::Ja.text(),
            work: Work {
                bodies: Vec::new(),
                bodies_caption: String::new(),
                bodies_note: String::new(),
                sections: vec![
                    WorkSection {
                        id: "work-unreported",
                        heading: "まだ報告していない指標",
                        note: String::new(),
                        lines: (1..=5).map(line).collect(),
                        folded: false,
                    },
                    WorkSection {
                        id: "work-reported",
                        heading: "報告済みの指標",
                        note: String::new(),
                        lines: vec![line(9)],
                        folded: true,
                    },
                ],
            },
        };
        let html = summary.render().unwrap();
        assert!(html.contains("まだ報告していない指標<span class=\"work-count\">（5）"));
        assert!(html.contains("指標3") && !html.contains("指標4"), "{html}");
        assert!(
            html.contains("href=\"/tasks#work-unreported\">ほか2件</a>"),
            "{html}"
        );
        assert!(
            !html.contains("報告済みの指標"),
            "folded sections stay on /tasks"
        );
        assert!(html.contains("href=\"/tasks\""));
        assert!(html.contains("あと3日") && html.contains("令和7年4月30日"));
    }
}
