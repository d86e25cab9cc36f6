//! Reading a plan workbook: the sheets as streams of cells within [`Limits`], their rows into
//! the plan file's structure, and that through `parse_plan`, with every problem named by sheet,
//! row and column.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use pdca_core::normalize::normalize_text;
use pdca_core::plan::{Assignment, CountedFrom};
use pdca_core::plan_file::{
    BodyDocument, GlossaryDocument, HeaderDocument, IndicatorDocument, PlanDocument,
    ProjectDocument, TargetDocument, parse_plan, render_plan,
};

use super::sheets::{Cell, SheetRow, SheetTable, Sheets, read_book};
use super::{
    BODIES_SHEET, COMPARATORS, COUNTINGS, Col, GLOSSARY_SHEET, HEADER_KEYS, INDICATORS_SHEET,
    ImportedPlan, KINDS, MARK, MEASURES, PLAN_SHEET, PlanCellError, PlanWorkbookErrors, labels,
};
use crate::Limits;
use crate::workbook::{quoted, workbook_error};

/// Reads a plan workbook written by [`export_plan_workbook`](super::export_plan_workbook) (or edited from one) within
/// [`Limits::UPLOAD`] and validates it as `parse_plan` validates a plan file.
pub fn import_plan_workbook(
    file_name: &str,
    bytes: &[u8],
) -> Result<ImportedPlan, PlanWorkbookErrors> {
    import_plan_workbook_limited(file_name, bytes, &Limits::UPLOAD)
}

/// [`import_plan_workbook`] within `limits`.
pub fn import_plan_workbook_limited(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<ImportedPlan, PlanWorkbookErrors> {
    // calamine indexes its input in places; a panic on a malformed part is a refusal.
    let sheets = catch_unwind(AssertUnwindSafe(|| read_book(file_name, bytes, limits)))
        .unwrap_or_else(|_| {
            Err(PlanWorkbookErrors::Unreadable(workbook_error(
                file_name,
                "ファイルの構造が壊れています。Excel で開き直して .xlsx で保存してください",
            )))
        })?;
    let mut builder = Builder {
        file: file_name,
        errors: Vec::new(),
        places: Places::default(),
    };
    let doc = builder.document(&sheets);
    let Some(doc) = doc.filter(|_| builder.errors.is_empty()) else {
        return Err(PlanWorkbookErrors::Invalid(builder.errors));
    };
    match parse_plan(file_name, &doc.to_toml()) {
        Ok(plan) => {
            let toml = render_plan(&plan);
            Ok(ImportedPlan { plan, toml })
        }
        Err(errors) => Err(PlanWorkbookErrors::Invalid(
            errors
                .0
                .iter()
                .map(|e| {
                    builder
                        .places
                        .locate(file_name, e.key.as_deref(), &e.message)
                })
                .collect(),
        )),
    }
}

/// Where the parts of the document came from, to name the cell of a `parse_plan` error.
#[derive(Debug, Default)]
struct Places {
    /// `[plan]` key → row of the header sheet.
    header: HashMap<&'static str, usize>,
    bodies: Vec<usize>,
    glossary: Vec<usize>,
    /// Each project's first row.
    projects: Vec<usize>,
    /// Each project's indicators' rows.
    indicators: Vec<Vec<usize>>,
}

impl Places {
    /// The sheet, row and column of the `parse_plan` error at `key`.
    fn locate(&self, file: &str, key: Option<&str>, message: &str) -> PlanCellError {
        let mut error = PlanCellError {
            file: file.to_owned(),
            sheet: None,
            row: None,
            column: None,
            message: message.to_owned(),
        };
        let Some(key) = key else {
            return error;
        };
        let (head, rest) = split_key(key);
        let place: Option<(&str, Option<usize>, Option<String>)> = match head {
            ("plan", _) => {
                let field = rest.split(['.', '[']).next().unwrap_or(rest);
                let label = HEADER_KEYS.iter().find(|(_, k)| *k == field);
                Some((
                    PLAN_SHEET,
                    self.header.get(field).copied(),
                    label.map(|(l, _)| (*l).to_owned()),
                ))
            }
            ("bodies", Some(i)) => Some((
                BODIES_SHEET,
                self.bodies.get(i).copied(),
                Some(
                    match rest {
                        "id" => "ID",
                        "short_name" => "略称",
                        _ => "名称",
                    }
                    .to_owned(),
                ),
            )),
            ("glossary", Some(i)) => Some((
                GLOSSARY_SHEET,
                self.glossary.get(i).copied(),
                Some(if rest == "term" { "用語" } else { "定義" }.to_owned()),
            )),
            ("projects", Some(p)) => {
                let (inner, field) = split_key(rest);
                match inner {
                    ("indicators", Some(i)) => Some((
                        INDICATORS_SHEET,
                        self.indicators.get(p).and_then(|rows| rows.get(i)).copied(),
                        Col::of_key(field).map(|c| c.header().to_owned()),
                    )),
                    _ => Some((
                        INDICATORS_SHEET,
                        self.projects.get(p).copied(),
                        Some(
                            if rest == "name" {
                                Col::ProjectName
                            } else {
                                Col::ProjectId
                            }
                            .header()
                            .to_owned(),
                        ),
                    )),
                }
            }
            ("projects", None) => Some((INDICATORS_SHEET, None, None)),
            _ => None,
        };
        if let Some((sheet, row, column)) = place {
            error.sheet = Some(sheet.to_owned());
            error.row = row;
            error.column = column;
        }
        error
    }
}

/// `projects[2].indicators[4].target` → (("projects", Some(2)), "indicators[4].target").
fn split_key(key: &str) -> ((&str, Option<usize>), &str) {
    let (first, rest) = key.split_once('.').unwrap_or((key, ""));
    match first.split_once('[') {
        Some((name, index)) => {
            let index = index.trim_end_matches(']').parse().ok();
            ((name, index), rest)
        }
        None => ((first, None), rest),
    }
}

/// Turns sheets into the plan file's structure, recording every cell that cannot be read.
struct Builder<'a> {
    file: &'a str,
    errors: Vec<PlanCellError>,
    places: Places,
}

impl Builder<'_> {
    fn error(&mut self, sheet: &str, row: usize, column: &str, message: String) {
        self.errors.push(PlanCellError {
            file: self.file.to_owned(),
            sheet: Some(sheet.to_owned()),
            row: Some(row),
            column: Some(column.to_owned()),
            message,
        });
    }

    /// The document, or `None` when a sheet could not be read at all.
    fn document(&mut self, sheets: &Sheets) -> Option<PlanDocument> {
        self.errors.extend(sheets.errors.iter().cloned());
        // Every sheet is read, so that the problems of all of them are reported together.
        let header = sheets.plan.as_ref().and_then(|s| self.header(s));
        let bodies = sheets.bodies.as_ref().map(|s| self.bodies(s));
        let glossary = sheets
            .glossary
            .as_ref()
            .map(|g| self.glossary(g))
            .unwrap_or_default();
        let projects = sheets.indicators.as_ref().map(|s| self.projects(s));
        Some(PlanDocument {
            header: header?,
            bodies: bodies?,
            glossary,
            projects: projects?,
        })
    }

    fn header(&mut self, sheet: &SheetTable) -> Option<HeaderDocument> {
        let mut values: HashMap<&'static str, (usize, Cell)> = HashMap::new();
        for r in &sheet.rows {
            let Some(item) = sheet.cell(r, "項目") else {
                if let Some(v) = sheet.cell(r, "値") {
                    self.error(
                        sheet.name,
                        r.row,
                        "項目",
                        format!("値「{}」に項目名がありません", quoted(&v.text())),
                    );
                }
                continue;
            };
            let item = normalize_text(&item.text());
            let Some(&(label, key)) = HEADER_KEYS.iter().find(|(l, _)| normalize_text(l) == item)
            else {
                self.error(
                    sheet.name,
                    r.row,
                    "項目",
                    format!(
                        "項目「{}」は使えません（使える項目: {}）",
                        quoted(&item),
                        HEADER_KEYS.map(|(l, _)| l).join("、")
                    ),
                );
                continue;
            };
            if let Some((first, _)) = values.get(key) {
                self.error(
                    sheet.name,
                    r.row,
                    label,
                    format!("項目「{label}」が{first}行にもあります"),
                );
                continue;
            }
            self.places.header.insert(key, r.row);
            if let Some(v) = sheet.cell(r, "値") {
                values.insert(key, (r.row, v.clone()));
            } else {
                values.insert(key, (r.row, Cell::Text(String::new())));
            }
        }
        let value = |key: &str| {
            values
                .get(key)
                .filter(|(_, c)| !matches!(c, Cell::Text(t) if t.trim().is_empty()))
        };
        let label_of = header_label;
        let mut missing = false;
        for key in ["id", "name", "start_fy", "end_fy"] {
            if value(key).is_none() {
                missing = true;
                self.errors.push(PlanCellError {
                    file: self.file.to_owned(),
                    sheet: Some(sheet.name.to_owned()),
                    row: values.get(key).map(|(r, _)| *r),
                    column: Some(label_of(key).to_owned()),
                    message: match values.get(key) {
                        Some(_) => format!("項目「{}」の値が必要です", label_of(key)),
                        None => format!(
                            "項目「{0}」の行がありません（項目の列に「{0}」、値の列にその値を書いてください）",
                            label_of(key)
                        ),
                    },
                });
            }
        }
        let text = |key: &str| value(key).map(|(_, c)| c.text());
        let integer = |this: &mut Self, key: &str| {
            let (row, cell) = value(key)?;
            this.integer(sheet.name, *row, label_of(key), cell)
        };
        let start_fy = integer(self, "start_fy");
        let end_fy = integer(self, "end_fy");
        let revision = integer(self, "revision");
        let effective_from = integer(self, "effective_from");
        let on_track_threshold = value("on_track_threshold")
            .and_then(|(row, cell)| self.number(sheet.name, *row, "評価の閾値", cell));
        let default_bodies = match value("default_bodies") {
            Some((row, cell)) => self
                .assignments(sheet.name, *row, "既定の報告機関", &cell.text())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        if missing {
            return None;
        }
        Some(HeaderDocument {
            id: text("id").unwrap_or_default().trim().to_owned(),
            name: text("name").unwrap_or_default(),
            start_fy: start_fy?,
            end_fy: end_fy?,
            revision,
            effective_from,
            decided_on: text("decided_on").map(|d| d.trim().to_owned()),
            revision_note: text("revision_note"),
            on_track_threshold,
            committee: text("committee"),
            default_bodies,
        })
    }

    fn bodies(&mut self, sheet: &SheetTable) -> Vec<BodyDocument> {
        let mut out = Vec::new();
        for r in &sheet.rows {
            let id = sheet.cell(r, "ID").map(|c| c.text().trim().to_owned());
            let name = sheet.cell(r, "名称").map(Cell::text);
            let short_name = sheet.cell(r, "略称").map(Cell::text);
            let Some(id) = id else {
                if name.is_some() || short_name.is_some() {
                    self.error(sheet.name, r.row, "ID", "報告機関のIDが必要です".into());
                }
                continue;
            };
            let Some(name) = name else {
                self.error(sheet.name, r.row, "名称", "報告機関の名称が必要です".into());
                continue;
            };
            self.places.bodies.push(r.row);
            out.push(BodyDocument {
                id,
                name,
                short_name,
            });
        }
        out
    }

    fn glossary(&mut self, sheet: &SheetTable) -> Vec<GlossaryDocument> {
        let mut out = Vec::new();
        for r in &sheet.rows {
            let term = sheet.cell(r, "用語").map(Cell::text);
            let definition = sheet.cell(r, "定義").map(Cell::text);
            match (term, definition) {
                (Some(term), Some(definition)) => {
                    self.places.glossary.push(r.row);
                    out.push(GlossaryDocument { term, definition });
                }
                (None, Some(_)) => {
                    self.error(sheet.name, r.row, "用語", "用語が必要です".into());
                }
                (Some(_), None) => {
                    self.error(sheet.name, r.row, "定義", "定義が必要です".into());
                }
                (None, None) => {}
            }
        }
        out
    }

    fn projects(&mut self, sheet: &SheetTable) -> Vec<ProjectDocument> {
        let mut projects: Vec<ProjectDocument> = Vec::new();
        for r in &sheet.rows {
            let get = |c: Col| sheet.cell(r, c.header());
            let Some(project_id) = get(Col::ProjectId).map(|c| c.text().trim().to_owned()) else {
                if !r.cells.is_empty() {
                    self.error(
                        sheet.name,
                        r.row,
                        Col::ProjectId.header(),
                        "プロジェクトIDが必要です".into(),
                    );
                }
                continue;
            };
            let project_name = get(Col::ProjectName).map(Cell::text);
            let index = match projects.iter().position(|p| p.id == project_id) {
                Some(index) => {
                    let first = projects
                        .get(index)
                        .map(|p| p.name.clone())
                        .unwrap_or_default();
                    if let Some(name) = &project_name
                        && normalize_text(name) != normalize_text(&first)
                    {
                        let first_row = self.places.projects.get(index).copied().unwrap_or(0);
                        self.error(
                            sheet.name,
                            r.row,
                            Col::ProjectName.header(),
                            format!(
                                "プロジェクト「{project_id}」の名前が{first_row}行の「{}」と違います",
                                quoted(&first)
                            ),
                        );
                    }
                    index
                }
                None => {
                    let Some(name) = project_name else {
                        self.error(
                            sheet.name,
                            r.row,
                            Col::ProjectName.header(),
                            format!(
                                "プロジェクト「{project_id}」の最初の行にはプロジェクト名が必要です"
                            ),
                        );
                        continue;
                    };
                    projects.push(ProjectDocument {
                        id: project_id,
                        name,
                        indicators: Vec::new(),
                    });
                    self.places.projects.push(r.row);
                    self.places.indicators.push(Vec::new());
                    projects.len() - 1
                }
            };
            let only_project = Col::ALL
                .iter()
                .filter(|c| !matches!(c, Col::ProjectId | Col::ProjectName))
                .all(|c| get(*c).is_none());
            if only_project {
                // A row that only names a project declares it (a project without indicators).
                continue;
            }
            if let Some(indicator) = self.indicator(sheet, r)
                && let (Some(project), Some(rows)) = (
                    projects.get_mut(index),
                    self.places.indicators.get_mut(index),
                )
            {
                project.indicators.push(indicator);
                rows.push(r.row);
            }
        }
        projects
    }

    fn indicator(&mut self, sheet: &SheetTable, r: &SheetRow) -> Option<IndicatorDocument> {
        let name = sheet.name;
        let get = |c: Col| sheet.cell(r, c.header());
        let text = |c: Col| get(c).map(Cell::text);
        let trimmed = |c: Col| get(c).map(|v| v.text().trim().to_owned());
        let before = self.errors.len();
        let id = trimmed(Col::Id);
        if id.is_none() {
            self.error(name, r.row, Col::Id.header(), "指標IDが必要です".into());
        }
        let kind = self.choice(name, r, get(Col::Kind), Col::Kind, &KINDS, true);
        let measure = self.choice(name, r, get(Col::Measure), Col::Measure, &MEASURES, true);
        let comparator = self.choice(
            name,
            r,
            get(Col::Comparator),
            Col::Comparator,
            &COMPARATORS,
            false,
        );
        let counting = self.choice(
            name,
            r,
            get(Col::Counting),
            Col::Counting,
            &COUNTINGS,
            false,
        );
        let management = match get(Col::Management).map(|c| normalize_text(&c.text())) {
            None => false,
            Some(m) if ["○", "〇", "◯", "TRUE", "true"].contains(&m.as_str()) => true,
            Some(m) if ["FALSE", "false"].contains(&m.as_str()) => false,
            Some(m) => {
                self.error(
                    name,
                    r.row,
                    Col::Management.header(),
                    format!(
                        "その他管理指標なら「{MARK}」、そうでなければ空欄にしてください（「{}」と書かれています）",
                        quoted(&m)
                    ),
                );
                false
            }
        };
        let counted_from = match get(Col::CountedFrom).map(|c| normalize_text(&c.text())) {
            None => CountedFrom::Reported,
            Some(m) if ["○", "〇", "◯", "TRUE", "true"].contains(&m.as_str()) => {
                CountedFrom::Achievements
            }
            Some(m) if ["FALSE", "false"].contains(&m.as_str()) => CountedFrom::Reported,
            Some(m) => {
                self.error(
                    name,
                    r.row,
                    Col::CountedFrom.header(),
                    format!(
                        "実績を成果の件数から集計する指標なら「{MARK}」、そうでなければ空欄にしてください（「{}」と書かれています）",
                        quoted(&m)
                    ),
                );
                CountedFrom::Reported
            }
        };
        let number = |this: &mut Self, c: Col| {
            get(c).and_then(|cell| this.number(name, r.row, c.header(), cell))
        };
        let value = number(self, Col::Value);
        let per_year = number(self, Col::PerYear);
        let factor = number(self, Col::Factor);
        let integer = |this: &mut Self, c: Col| {
            get(c).and_then(|cell| this.integer(name, r.row, c.header(), cell))
        };
        let baseline_fy = integer(self, Col::BaselineFy);
        let deadline_fy = integer(self, Col::DeadlineFy);
        let has_target = [
            Col::Value,
            Col::Comparator,
            Col::PerYear,
            Col::Factor,
            Col::BaselineFy,
            Col::DeadlineFy,
        ]
        .iter()
        .any(|c| get(*c).is_some());
        let bodies = get(Col::Bodies)
            .and_then(|c| self.assignments(name, r.row, Col::Bodies.header(), &c.text()));
        let expected_profile = get(Col::Profile)
            .and_then(|c| self.numbers(name, r.row, Col::Profile.header(), &c.text()));
        if self.errors.len() > before {
            return None;
        }
        Some(IndicatorDocument {
            id: id?,
            name: text(Col::Name).unwrap_or_default(),
            kind: kind?,
            group: text(Col::Group).unwrap_or_default(),
            management,
            measure: measure?,
            unit: trimmed(Col::Unit),
            target: has_target.then_some(TargetDocument {
                value,
                unit: None,
                comparator,
                per_year,
                factor,
                baseline_fy,
                deadline_fy,
            }),
            parent: trimmed(Col::Parent),
            bodies,
            counting: counting.unwrap_or_default(),
            expected_profile,
            note: text(Col::Note),
            counted_from,
            achievement_tag: trimmed(Col::AchievementTag),
        })
    }

    /// A value of a fixed list, given by its Japanese label or its plan-file name.
    fn choice<T: Copy>(
        &mut self,
        sheet: &str,
        r: &SheetRow,
        cell: Option<&Cell>,
        col: Col,
        choices: &[(&'static str, T)],
        required: bool,
    ) -> Option<T> {
        let allowed = labels(choices).join("、");
        let Some(cell) = cell else {
            if required {
                self.error(
                    sheet,
                    r.row,
                    col.header(),
                    format!("値が必要です（{allowed} のどれか）"),
                );
            }
            return None;
        };
        let text = normalize_text(&cell.text());
        match choices.iter().find(|(l, _)| normalize_text(l) == text) {
            Some((_, v)) => Some(*v),
            None => {
                self.error(
                    sheet,
                    r.row,
                    col.header(),
                    format!(
                        "「{}」は使えません（{allowed} のどれかを選んでください）",
                        quoted(&text)
                    ),
                );
                None
            }
        }
    }

    fn number(&mut self, sheet: &str, row: usize, column: &str, cell: &Cell) -> Option<f64> {
        let parsed = match cell {
            Cell::Number(n) => Some(*n),
            Cell::Text(t) => parse_number(t),
        };
        match parsed.filter(|n| n.is_finite()) {
            Some(n) => Some(n),
            None => {
                self.error(
                    sheet,
                    row,
                    column,
                    format!(
                        "数値が必要です（「{}」と書かれています）",
                        quoted(&cell.text())
                    ),
                );
                None
            }
        }
    }

    fn integer(&mut self, sheet: &str, row: usize, column: &str, cell: &Cell) -> Option<i64> {
        let parsed = match cell {
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(*n as i64),
            Cell::Number(_) => None,
            Cell::Text(t) => normalize_text(t).parse::<i64>().ok(),
        };
        if parsed.is_none() {
            self.error(
                sheet,
                row,
                column,
                format!(
                    "整数が必要です（年度は西暦4桁、例: 2020。「{}」と書かれています）",
                    quoted(&cell.text())
                ),
            );
        }
        parsed
    }

    /// `amed:20, mext:5` or `amed`.
    fn assignments(
        &mut self,
        sheet: &str,
        row: usize,
        column: &str,
        text: &str,
    ) -> Option<Vec<Assignment>> {
        let mut out = Vec::new();
        for item in split_list(text) {
            let (body, share) = match item.split_once(':') {
                Some((body, share)) => match parse_number(share).filter(|n| n.is_finite()) {
                    Some(share) => (body.trim(), Some(share)),
                    None => {
                        self.error(
                            sheet,
                            row,
                            column,
                            format!(
                                "「{}」の分担が数値ではありません（報告機関は「amed」か「amed:20」のように、IDと分担をカンマで区切って書きます）",
                                quoted(&item)
                            ),
                        );
                        return None;
                    }
                },
                None => (item.as_str(), None),
            };
            out.push(Assignment {
                body: body.to_owned(),
                share,
            });
        }
        Some(out)
    }

    /// `10, 15, 20`.
    fn numbers(&mut self, sheet: &str, row: usize, column: &str, text: &str) -> Option<Vec<f64>> {
        let mut out = Vec::new();
        for item in split_list(text) {
            match parse_number(&item).filter(|n| n.is_finite()) {
                Some(n) => out.push(n),
                None => {
                    self.error(
                        sheet,
                        row,
                        column,
                        format!(
                            "「{}」は数値ではありません（各年の値をカンマで区切って書きます。例: 10, 15, 20）",
                            quoted(&item)
                        ),
                    );
                    return None;
                }
            }
        }
        Some(out)
    }
}

/// The header sheet's item for the `[plan]` key `key`.
fn header_label(key: &str) -> &'static str {
    HEADER_KEYS
        .iter()
        .find(|(_, k)| *k == key)
        .map_or("", |(l, _)| l)
}

/// A number as typed: full-width digits and signs are accepted, units and separators are not.
fn parse_number(text: &str) -> Option<f64> {
    normalize_text(text).parse::<f64>().ok()
}

/// The items of a list separated by commas (half- or full-width) or 、, normalised and trimmed.
fn split_list(text: &str) -> Vec<String> {
    normalize_text(text)
        .split([',', '、'])
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}
