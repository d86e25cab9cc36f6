//! Validation of an achievements file (成果一覧): its header row and its rows, as text, checked
//! against a plan, in the style of the actuals import ([`crate::import::validate_rows`]): every
//! problem names the row, the column and the text, and a file with any error imports nothing.
//!
//! Choices made here: a blank 公開 is 否 (an achievement is confidential until a body says it
//! may be published: licensing partners often are); a blank 顕著な成果 is いいえ. A date may be
//! written 2024-04-01, 2024/4/1, 2024年4月1日 or 令和6年4月1日 (full-width too), and must lie in
//! the row's fiscal year (April–March), or in the calendar year for an indicator counted by
//! calendar year. Tags are split on 、 , ; ／ / and must be tags of the indicator's sub-targets.

use std::collections::HashMap;

use crate::fiscal_year::FiscalYear;
use crate::import::{CellRef, RawRow, RowError, unescape_formula};
use crate::normalize::{TextKind, cell_control_error, normalize_text, show_controls};
use crate::plan::{Indicator, Measure, Plan};

use super::AchievementFields;
use super::cells::{
    flag, in_year, is_web_link, iso, one_line, parse_date, shortened, too_long, year_bounds,
};
use super::derive::year_label;
use super::duplicates::{project_code_key, title_key};

/// Longest 成果名 accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 500;
/// Longest 備考 accepted, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Longest 課題番号, 実施機関 and URL accepted, in characters.
pub const MAX_SHORT_CHARS: usize = 200;
/// Longest URL accepted, in characters.
pub const MAX_URL_CHARS: usize = 2000;

/// The columns of an achievements file, in their canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AchievementColumn {
    /// `indicator_id` / 指標ID
    IndicatorId,
    /// `fiscal_year` / 年度
    FiscalYear,
    /// `body` / 報告機関
    Body,
    /// `project_code` / 課題番号
    ProjectCode,
    /// `title` / 成果名
    Title,
    /// `institution` / 実施機関
    Institution,
    /// `date` / 日付
    Date,
    /// `tags` / 区分
    Tags,
    /// `public` / 公開
    Public,
    /// `notable` / 顕著な成果
    Notable,
    /// `url` / URL
    Url,
    /// `note` / 備考
    Note,
}

use AchievementColumn as Col;

impl AchievementColumn {
    /// Every column in canonical order.
    pub const ALL: [AchievementColumn; 12] = [
        Col::IndicatorId,
        Col::FiscalYear,
        Col::Body,
        Col::ProjectCode,
        Col::Title,
        Col::Institution,
        Col::Date,
        Col::Tags,
        Col::Public,
        Col::Notable,
        Col::Url,
        Col::Note,
    ];

    /// The English header.
    pub fn name(self) -> &'static str {
        match self {
            Col::IndicatorId => "indicator_id",
            Col::FiscalYear => "fiscal_year",
            Col::Body => "body",
            Col::ProjectCode => "project_code",
            Col::Title => "title",
            Col::Institution => "institution",
            Col::Date => "date",
            Col::Tags => "tags",
            Col::Public => "public",
            Col::Notable => "notable",
            Col::Url => "url",
            Col::Note => "note",
        }
    }

    /// The Japanese header.
    pub fn japanese(self) -> &'static str {
        match self {
            Col::IndicatorId => "指標ID",
            Col::FiscalYear => "年度",
            Col::Body => "報告機関",
            Col::ProjectCode => "課題番号",
            Col::Title => "成果名",
            Col::Institution => "実施機関",
            Col::Date => "日付",
            Col::Tags => "区分",
            Col::Public => "公開",
            Col::Notable => "顕著な成果",
            Col::Url => "URL",
            Col::Note => "備考",
        }
    }

    /// How a message names the column: `成果名（title）`.
    pub fn label(self) -> String {
        format!("{}（{}）", self.japanese(), self.name())
    }

    /// The column a header names, in English or Japanese, full-width or half-width, any case.
    pub fn from_header(header: &str) -> Option<AchievementColumn> {
        let h = normalize_text(header.trim_start_matches('\u{feff}'))
            .to_lowercase()
            .replace(' ', "_");
        Col::ALL
            .into_iter()
            .find(|c| h == c.name() || h == normalize_text(c.japanese()).to_lowercase())
    }

    fn text_kind(self) -> TextKind {
        match self {
            Col::Note => TextKind::MultiLine,
            _ => TextKind::SingleLine,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// An achievement read from a file: its fields and the row it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedAchievement {
    /// 1-based row number in the file.
    pub row: usize,
    /// What the row reports.
    pub fields: AchievementFields,
}

/// Reads the header row: which column holds which field. Unknown or repeated headers, and
/// missing required ones (indicator_id, fiscal_year, title), are errors on `header_row`.
fn layout(headers: &[String], header_row: usize) -> Result<[Option<CellRef>; 12], Vec<RowError>> {
    let mut columns: [Option<CellRef>; 12] = Default::default();
    let mut errors = Vec::new();
    let reference = normalize_text(crate::import::REFERENCE_PREFIX);
    for (i, header) in headers.iter().enumerate() {
        let cell = CellRef {
            column: i + 1,
            header: header.clone(),
        };
        if header.trim().is_empty() || normalize_text(header).starts_with(&reference) {
            continue;
        }
        match Col::from_header(header) {
            Some(col) if columns[col.index()].is_some() => errors.push(RowError {
                row: header_row,
                cell: Some(cell),
                text: header.clone(),
                message: format!("列「{}」が重複しています", col.name()),
            }),
            Some(col) => columns[col.index()] = Some(cell),
            None => errors.push(RowError {
                row: header_row,
                cell: Some(cell),
                text: show_controls(header).into_owned(),
                message: format!(
                    "見出し「{}」は使えません（期待: {}、または {}）",
                    show_controls(header),
                    Col::ALL.map(Col::name).join(", "),
                    Col::ALL.map(Col::japanese).join(", ")
                ),
            }),
        }
    }
    for col in [Col::IndicatorId, Col::FiscalYear, Col::Title] {
        if columns[col.index()].is_none() {
            errors.push(RowError {
                row: header_row,
                cell: None,
                text: String::new(),
                message: format!("列「{}」（{}）がありません", col.name(), col.japanese()),
            });
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}

/// The plan's bodies by id, name and short name (normalised, and in lower case).
struct Bodies<'p> {
    by_name: HashMap<String, &'p str>,
    known: String,
}

impl<'p> Bodies<'p> {
    fn new(plan: &'p Plan) -> Self {
        let mut by_name = HashMap::new();
        let mut known = Vec::new();
        for b in &plan.bodies {
            let mut written: Vec<String> = Vec::new();
            for name in [
                Some(b.id.as_str()),
                Some(b.name.as_str()),
                b.short_name.as_deref(),
            ]
            .into_iter()
            .flatten()
            {
                let name = normalize_text(name);
                if name.is_empty() {
                    continue;
                }
                by_name.entry(name.to_lowercase()).or_insert(b.id.as_str());
                if !written.contains(&name) {
                    written.push(name);
                }
            }
            known.push(written.join("／"));
        }
        Self {
            by_name,
            known: known.join(", "),
        }
    }

    fn find(&self, text: &str) -> Option<&'p str> {
        self.by_name
            .get(&normalize_text(text).to_lowercase())
            .copied()
    }
}

/// What the plan allows on a row of one indicator: its sub-targets' tags.
struct Allowed {
    /// (normalised tag, tag as the plan writes it).
    tags: Vec<(String, String)>,
}

/// Validates an achievements file against `plan`: the header row (`headers`, found at file row
/// `header_row`) and every row. Returns every error found, in row order; a file with any error
/// must import nothing. Rows whose cells are all blank are skipped.
pub fn validate_achievement_rows(
    plan: &Plan,
    headers: &[String],
    header_row: usize,
    rows: &[RawRow],
) -> Result<Vec<ImportedAchievement>, Vec<RowError>> {
    let columns = layout(headers, header_row)?;
    let indicators: HashMap<&str, &Indicator> =
        plan.indicators().map(|(_, i)| (i.id.as_str(), i)).collect();
    let mut allowed: HashMap<&str, Allowed> = HashMap::new();
    for (_, sub) in plan.indicators() {
        if let (Some(parent), Some(tag)) = (sub.parent.as_deref(), sub.achievement_tag()) {
            allowed
                .entry(parent)
                .or_insert_with(|| Allowed { tags: Vec::new() })
                .tags
                .push((normalize_text(&tag), tag));
        }
    }
    let bodies = Bodies::new(plan);
    let examples = plan
        .indicators()
        .map(|(_, i)| i)
        .filter(|i| i.measure == Measure::Count && i.parent.is_none())
        .take(3)
        .map(|i| i.id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let positions: [Option<usize>; 12] =
        Col::ALL.map(|c| columns[c.index()].as_ref().map(|cell| cell.column - 1));
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen: HashMap<(String, FiscalYear, String, String, String), usize> = HashMap::new();

    for raw in rows {
        if raw.is_blank() {
            continue;
        }
        let text = |col: Col| -> &str {
            positions[col.index()]
                .and_then(|i| raw.cell(i))
                .unwrap_or_default()
        };
        let mut err = |col: Col, text: &str, message: String| {
            errors.push(RowError {
                row: raw.row,
                cell: columns[col.index()].clone(),
                text: text.to_owned(),
                message,
            });
        };
        let mut refused = false;
        for col in Col::ALL {
            if let Some((shown, e)) = cell_control_error(&col.label(), text(col), col.text_kind()) {
                err(col, &shown, e.to_string());
                refused = true;
            }
        }
        if refused {
            continue;
        }

        // 指標ID: a count indicator of the plan that is not a sub-target.
        let id_text = text(Col::IndicatorId);
        let id = normalize_text(id_text);
        let Some(&indicator) = indicators.get(id.as_str()) else {
            let message = if id.is_empty() {
                format!(
                    "指標IDが空です（計画「{}」の件数の指標ID、例: {examples}）",
                    plan.id
                )
            } else {
                format!(
                    "指標ID「{id_text}」は計画「{}」にありません（計画の指標ID、例: {examples}）",
                    plan.id
                )
            };
            err(Col::IndicatorId, id_text, message);
            continue;
        };
        if let Some(parent) = &indicator.parent {
            let tag = indicator.achievement_tag().unwrap_or_default();
            err(
                Col::IndicatorId,
                id_text,
                format!(
                    "指標「{}」は内数（うち…）です。成果は親指標「{parent}」に記録し、区分（tags）に「{tag}」と書いてください",
                    indicator.id
                ),
            );
            continue;
        }
        if indicator.measure != Measure::Count {
            err(
                Col::IndicatorId,
                id_text,
                format!(
                    "指標「{}」は件数（count）の指標ではないため、成果を記録できません（この指標は {}）",
                    indicator.id,
                    indicator.measure.as_str()
                ),
            );
            continue;
        }

        // 年度.
        let fy_text = text(Col::FiscalYear);
        let year = match fy_text.trim().parse::<FiscalYear>() {
            Ok(fy) if plan.accepts_year(indicator, fy) => Some(fy),
            Ok(fy) => {
                err(
                    Col::FiscalYear,
                    fy_text,
                    format!(
                        "年度「{fy_text}」（{fy}）は計画期間 {}〜{} の外です（期間内の年度を書いてください）",
                        plan.period.start, plan.period.end
                    ),
                );
                None
            }
            Err(e) => {
                let message = if fy_text.trim().is_empty() {
                    "年度が空です（例: 2022, 令和4年度）".to_owned()
                } else {
                    e.to_string()
                };
                err(Col::FiscalYear, fy_text, message);
                None
            }
        };

        // 報告機関: required unless the indicator has exactly one body.
        let body_text = text(Col::Body);
        let assigned = || {
            indicator
                .assignments
                .iter()
                .map(|a| a.body.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let body: Option<String> = if body_text.trim().is_empty() {
            match indicator.assignments.as_slice() {
                [only] => Some(only.body.clone()),
                _ => {
                    err(
                        Col::Body,
                        body_text,
                        format!(
                            "指標「{}」は複数の機関が報告するため、報告機関（body）を指定してください（{}）",
                            indicator.id,
                            assigned()
                        ),
                    );
                    None
                }
            }
        } else {
            match bodies.find(body_text) {
                Some(b) if indicator.assignments.iter().any(|a| a.body == b) => Some(b.to_owned()),
                Some(b) => {
                    err(
                        Col::Body,
                        body_text,
                        format!(
                            "報告機関「{body_text}」（{b}）は指標「{}」の報告機関ではありません（この指標の報告機関: {}）",
                            indicator.id,
                            assigned()
                        ),
                    );
                    None
                }
                None => {
                    err(
                        Col::Body,
                        body_text,
                        format!(
                            "報告機関「{body_text}」は計画にありません（報告機関のID・名称・略称: {}）",
                            bodies.known
                        ),
                    );
                    None
                }
            }
        };

        // 成果名 (required), 課題番号, 実施機関, 備考, URL: bounded texts.
        let title_text = text(Col::Title);
        let title = one_line(unescape_formula(title_text.trim()));
        let title = if title.is_empty() {
            err(
                Col::Title,
                title_text,
                "成果名（title）が空です（成果名・品目名を書いてください）".to_owned(),
            );
            None
        } else if too_long(&title, MAX_TITLE_CHARS) {
            err(
                Col::Title,
                &shortened(title_text),
                format!(
                    "成果名（title）が長すぎます（{}文字。{MAX_TITLE_CHARS}文字以内にしてください）",
                    title.chars().count()
                ),
            );
            None
        } else {
            Some(title)
        };
        let mut bounded = |col: Col, text: &str, value: String, max: usize| -> Option<String> {
            if too_long(&value, max) {
                err(
                    col,
                    &shortened(text),
                    format!(
                        "{}が長すぎます（{}文字。{max}文字以内にしてください）",
                        col.label(),
                        value.chars().count()
                    ),
                );
                None
            } else {
                Some(value)
            }
        };
        let code_text = text(Col::ProjectCode);
        let project_code = bounded(
            Col::ProjectCode,
            code_text,
            normalize_text(code_text),
            MAX_SHORT_CHARS,
        );
        let institution_text = text(Col::Institution);
        let institution = bounded(
            Col::Institution,
            institution_text,
            one_line(unescape_formula(institution_text.trim())),
            MAX_SHORT_CHARS,
        );
        let note_text = text(Col::Note);
        let note = bounded(
            Col::Note,
            note_text,
            unescape_formula(note_text.trim()).to_owned(),
            MAX_NOTE_CHARS,
        );
        let url_text = text(Col::Url);
        let url = bounded(
            Col::Url,
            url_text,
            url_text.trim().to_owned(),
            MAX_URL_CHARS,
        );
        let url_ok = match url.as_deref() {
            Some(u) if !u.is_empty() && !is_web_link(u) => {
                err(
                    Col::Url,
                    url_text,
                    format!(
                        "URL「{}」は http:// か https:// で始まるリンクではありません（空白を含まない https://… の形で書いてください）",
                        url_text.trim()
                    ),
                );
                false
            }
            _ => true,
        };

        // 日付: a date inside the row's year.
        let date_text = text(Col::Date);
        let date = if date_text.trim().is_empty() {
            Some(None)
        } else {
            match parse_date(date_text) {
                None => {
                    err(
                        Col::Date,
                        date_text,
                        format!(
                            "日付「{}」は読めません（例: 2024-04-01, 2024/4/1, 令和6年4月1日）",
                            date_text.trim()
                        ),
                    );
                    None
                }
                Some(d) => match year {
                    Some(fy) if !in_year(indicator.counting, fy, d) => {
                        let (first, last) = year_bounds(indicator.counting, fy);
                        err(
                            Col::Date,
                            date_text,
                            format!(
                                "日付 {} は{}（{}〜{}）の外です（その年度の日付を書くか、年度を直してください）",
                                iso(d),
                                year_label(indicator, fy),
                                iso(first),
                                iso(last)
                            ),
                        );
                        None
                    }
                    _ => Some(Some(iso(d))),
                },
            }
        };

        // 区分: tags of the indicator's sub-targets.
        let tags_text = text(Col::Tags);
        let mut tags: Vec<String> = Vec::new();
        let mut tags_ok = true;
        let empty = Allowed { tags: Vec::new() };
        let allowed_here = allowed.get(indicator.id.as_str()).unwrap_or(&empty);
        for piece in normalize_text(tags_text).split(crate::plan_file::TAG_SEPARATORS) {
            let tag = normalize_text(piece);
            if tag.is_empty() {
                continue;
            }
            match allowed_here.tags.iter().find(|(n, _)| *n == tag) {
                Some((_, written)) => {
                    if !tags.contains(written) {
                        tags.push(written.clone());
                    }
                }
                None => {
                    let message = if allowed_here.tags.is_empty() {
                        format!(
                            "区分「{tag}」は使えません（指標「{}」には内数がないため、区分は空欄にしてください）",
                            indicator.id
                        )
                    } else {
                        format!(
                            "区分「{tag}」は指標「{}」の内数の区分にありません（使える区分: {}）",
                            indicator.id,
                            allowed_here
                                .tags
                                .iter()
                                .map(|(_, t)| t.as_str())
                                .collect::<Vec<_>>()
                                .join("、")
                        )
                    };
                    err(Col::Tags, tags_text, message);
                    tags_ok = false;
                    break;
                }
            }
        }

        // 公開, 顕著な成果.
        let public = flag(text(Col::Public));
        if public.is_none() {
            err(
                Col::Public,
                text(Col::Public),
                flag_message(Col::Public, "否"),
            );
        }
        let notable = flag(text(Col::Notable));
        if notable.is_none() {
            err(
                Col::Notable,
                text(Col::Notable),
                flag_message(Col::Notable, "いいえ"),
            );
        }

        let (
            Some(year),
            Some(body),
            Some(title),
            Some(project_code),
            Some(institution),
            Some(note),
            Some(url),
            Some(date),
            Some(public),
            Some(notable),
            true,
            true,
        ) = (
            year,
            body,
            title,
            project_code,
            institution,
            note,
            url,
            date,
            public,
            notable,
            url_ok,
            tags_ok,
        )
        else {
            continue;
        };
        let key = (
            indicator.id.clone(),
            year,
            body.clone(),
            project_code_key(&project_code),
            title_key(&title),
        );
        if let Some(first) = seen.get(&key) {
            err(
                Col::Title,
                title_text,
                format!(
                    "{first}行目と同じ成果です（指標 {} {year} {body}、課題番号「{project_code}」、成果名「{title}」）。同じ成果は1行にしてください",
                    indicator.id
                ),
            );
            continue;
        }
        seen.insert(key, raw.row);
        let some = |s: String| (!s.is_empty()).then_some(s);
        out.push(ImportedAchievement {
            row: raw.row,
            fields: AchievementFields {
                indicator: indicator.id.clone(),
                year,
                body,
                project_code: some(project_code),
                title,
                institution: some(institution),
                date,
                tags,
                public,
                notable,
                url: some(url),
                note: some(note),
            },
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        errors.sort_by_key(|e| e.row);
        Err(errors)
    }
}

fn flag_message(col: Col, blank: &str) -> String {
    format!(
        "{}は 可／否、公開／非公開、はい／いいえ、あり／なし、○／×、yes／no、true／false、1／0 のいずれかで書いてください（空欄は{blank}）",
        col.label()
    )
}
