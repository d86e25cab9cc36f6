//! The achievements (成果) behind an indicator's count, as the indicator page lists them: a
//! heading with the count and a table per year, with only the columns the reader's role sees
//! (`pdca_core::achievements::visible`). A sub-target lists its parent's achievements that carry
//! its tag.

use axum::Router;
use pdca_core::FiscalYear;
use pdca_core::Plan;
use pdca_core::achievements::{AchievementView, sees_details};
use pdca_core::plan::{Counting, Indicator, Measure};

use crate::frame::auth::CurrentUser;
use crate::frame::i18n::{self, Lang};
use crate::{AppState, WebError};
use pdca_app::achievements::{achievements_for, recorded_on};

/// The routes of this module: none of its own (the list is a section of the indicator page).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
}

/// The section 「成果の一覧」 of an indicator page.
pub(crate) struct AchievementSection {
    /// Whether the indicator's actuals are counted from the list.
    pub counted: bool,
    /// For a sub-target: which of its parent's achievements are its own.
    pub sub_target_note: Option<String>,
    /// Whether the reader sees achievements whole (all but viewers).
    pub details: bool,
    /// The years with achievements, in order.
    pub years: Vec<YearList>,
}

impl AchievementSection {
    /// Whether the section lists any achievement of `fy` (the yearly table links to it).
    pub fn lists(&self, fy: FiscalYear) -> bool {
        self.years.iter().any(|y| y.year == fy.year())
    }
}

/// One year's achievements.
pub(crate) struct YearList {
    /// The year, for the anchor `achievements-{year}`.
    pub year: i32,
    /// 令和4年度（3件）.
    pub heading: String,
    /// The achievements, in id order.
    pub rows: Vec<Row>,
}

/// An achievement as a row of the table; the details are empty for a viewer.
pub(crate) struct Row {
    pub title: String,
    pub institution: String,
    pub date: String,
    pub tags: String,
    pub body: String,
    pub project_code: String,
    pub state: &'static str,
    pub confidential: bool,
}

/// The section for `indicator` as `user` may see it, or `None` when the indicator has nothing
/// to list: it is not counted from achievements and the reader sees none of its achievements.
pub(crate) async fn section(
    state: &AppState,
    plan: &Plan,
    indicator: &Indicator,
    user: &CurrentUser,
    lang: Lang,
) -> Result<Option<AchievementSection>, WebError> {
    let Some((on, tag)) = recorded_on(plan, &indicator.id) else {
        return Ok(None);
    };
    let Some(recorded) = plan.indicator(&on) else {
        return Ok(None);
    };
    if recorded.measure != Measure::Count {
        return Ok(None);
    }
    let counted = recorded.counted_from_achievements();
    let items = achievements_for(
        &state.store,
        plan,
        user.role(),
        user.user.body.as_deref(),
        Some(&indicator.id),
        None,
    )
    .await?;
    if items.is_empty() && !counted {
        return Ok(None);
    }
    let t = lang.text();
    let calendar = recorded.counting == Counting::CalendarYear;
    let mut years: Vec<YearList> = Vec::new();
    for item in &items {
        let row = row(lang, plan, item);
        match years.iter_mut().find(|y| y.year == item.year.year()) {
            Some(y) => y.rows.push(row),
            None => years.push(YearList {
                year: item.year.year(),
                heading: year_label(lang, item.year, calendar),
                rows: vec![row],
            }),
        }
    }
    years.sort_by_key(|y| y.year);
    for y in &mut years {
        y.heading = crate::follow_up::round_page::fill(
            t.ach_year_heading,
            &[("fy", &y.heading), ("n", &y.rows.len().to_string())],
        );
    }
    Ok(Some(AchievementSection {
        counted,
        sub_target_note: tag
            .map(|tag| crate::follow_up::round_page::fill(t.ach_sub_target, &[("tag", &tag)])),
        details: sees_details(user.role()),
        years,
    }))
}

/// A year as the indicator counts it: 令和4年度, or 令和4年 for a calendar-year indicator.
fn year_label(lang: Lang, fy: FiscalYear, calendar: bool) -> String {
    let label = i18n::fiscal_year(lang, fy);
    match (calendar, lang) {
        (true, Lang::Ja) => label.trim_end_matches('度').to_owned(),
        (true, Lang::En) => fy.year().to_string(),
        (false, _) => label,
    }
}

fn row(lang: Lang, plan: &Plan, a: &AchievementView) -> Row {
    let t = lang.text();
    let institution = a.institution.clone().unwrap_or_default();
    match &a.details {
        None => Row {
            title: a.title.clone(),
            institution,
            date: String::new(),
            tags: String::new(),
            body: String::new(),
            project_code: String::new(),
            state: "",
            confidential: false,
        },
        Some(d) => Row {
            title: a.title.clone(),
            institution,
            date: d
                .date
                .as_deref()
                .map(|date| i18n::date_label(lang, date))
                .unwrap_or_default(),
            tags: d.tags.join(t.list_separator),
            body: plan.body(&d.body).map_or_else(
                || d.body.clone(),
                |b| b.short_name.clone().unwrap_or_else(|| b.name.clone()),
            ),
            project_code: d.project_code.clone().unwrap_or_default(),
            state: i18n::state_label(lang, d.state),
            confidential: !d.public,
        },
    }
}
