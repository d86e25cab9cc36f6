//! Writing a plan workbook: four sheets from the plan file's structure ([`PlanDocument`]), a
//! bold frozen header row, and drop-down lists on the fixed-value columns.

use pdca_core::Plan;
use pdca_core::plan::{Assignment, CountedFrom, Target};
use pdca_core::plan_file::{IndicatorDocument, PlanDocument};
use pdca_core::wording::target_text;
use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet, XlsxError};

use super::{
    BODIES_SHEET, COMPARATORS, COUNTINGS, Col, GLOSSARY_SHEET, HEADER_KEYS, INDICATORS_SHEET,
    KINDS, MARK, MEASURES, PLAN_SHEET, VALIDATED_ROWS, label, labels,
};
use crate::InterchangeError;
use crate::write::FONT;

/// frozen header row and drop-down lists on the fixed-value columns. It imports back as the same
/// plan.
pub fn export_plan_workbook(plan: &Plan) -> Result<Vec<u8>, InterchangeError> {
    build_workbook(plan).map_err(|e| InterchangeError::Write {
        file: format!("{}.xlsx", plan.id),
        message: e.to_string(),
    })
}

struct Formats {
    header: Format,
    plain: Format,
}

fn build_workbook(plan: &Plan) -> Result<Vec<u8>, XlsxError> {
    let doc = PlanDocument::from_plan(plan);
    let formats = Formats {
        header: Format::new().set_bold().set_font_name(FONT),
        plain: Format::new().set_font_name(FONT),
    };
    let mut book = Workbook::new();

    let sheet = book.add_worksheet();
    sheet.set_name(PLAN_SHEET)?;
    header_row(sheet, &["項目", "値"], &formats)?;
    let h = &doc.header;
    let values: [Value; 11] = [
        Value::Text(h.id.clone()),
        Value::Text(h.name.clone()),
        Value::Number(h.start_fy as f64),
        Value::Number(h.end_fy as f64),
        Value::Number(f64::from(plan.revision)),
        Value::Number(f64::from(plan.effective_from.year())),
        Value::text(h.decided_on.as_deref()),
        Value::text(h.revision_note.as_deref()),
        Value::Number(plan.on_track_threshold),
        Value::text(h.committee.as_deref()),
        Value::Text(assignments_text(&h.default_bodies)),
    ];
    for (row, ((label, _), value)) in (1_u32..).zip(HEADER_KEYS.iter().zip(values)) {
        sheet.write_string_with_format(row, 0, *label, &formats.plain)?;
        value.write(sheet, row, 1, &formats.plain)?;
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 60)?;

    let sheet = book.add_worksheet();
    sheet.set_name(BODIES_SHEET)?;
    header_row(sheet, &["ID", "名称", "略称"], &formats)?;
    for (row, b) in (1_u32..).zip(&doc.bodies) {
        sheet.write_string_with_format(row, 0, &b.id, &formats.plain)?;
        sheet.write_string_with_format(row, 1, &b.name, &formats.plain)?;
        Value::text(b.short_name.as_deref()).write(sheet, row, 2, &formats.plain)?;
    }
    sheet.set_column_width(1, 30)?;

    let sheet = book.add_worksheet();
    sheet.set_name(GLOSSARY_SHEET)?;
    header_row(sheet, &["用語", "定義"], &formats)?;
    for (row, g) in (1_u32..).zip(&doc.glossary) {
        sheet.write_string_with_format(row, 0, &g.term, &formats.plain)?;
        sheet.write_string_with_format(row, 1, &g.definition, &formats.plain)?;
    }
    sheet.set_column_width(0, 20)?;
    sheet.set_column_width(1, 80)?;

    let sheet = book.add_worksheet();
    sheet.set_name(INDICATORS_SHEET)?;
    let headers: Vec<&str> = Col::ALL.iter().map(|c| c.header()).collect();
    header_row(sheet, &headers, &formats)?;
    for c in Col::ALL {
        sheet.set_column_width(c.index(), c.width())?;
    }
    let mut row = 1_u32;
    for (project, project_doc) in plan.projects.iter().zip(&doc.projects) {
        if project.indicators.is_empty() {
            // A project without indicators still has its row, so that it imports back.
            sheet.write_string_with_format(
                row,
                Col::ProjectId.index(),
                &project.id,
                &formats.plain,
            )?;
            sheet.write_string_with_format(
                row,
                Col::ProjectName.index(),
                &project.name,
                &formats.plain,
            )?;
            row += 1;
        }
        for (indicator, i) in project.indicators.iter().zip(&project_doc.indicators) {
            for (col, value) in indicator_cells(project, indicator, i) {
                value.write(sheet, row, col.index(), &formats.plain)?;
            }
            row += 1;
        }
    }
    let last = VALIDATED_ROWS.max(row + 500);
    for (col, choices) in [
        (Col::Kind, labels(&KINDS)),
        (Col::Management, vec![MARK]),
        (Col::CountedFrom, vec![MARK]),
        (Col::Measure, labels(&MEASURES)),
        (Col::Comparator, labels(&COMPARATORS)),
        (Col::Counting, labels(&COUNTINGS)),
    ] {
        let validation = DataValidation::new()
            .allow_list_strings(&choices)?
            .set_error_title(col.header())?
            .set_error_message(format!("{} から選んでください", choices.join("、")))?;
        sheet.add_data_validation(1, col.index(), last, col.index(), &validation)?;
    }
    book.save_to_buffer()
}

fn header_row(sheet: &mut Worksheet, headers: &[&str], formats: &Formats) -> Result<(), XlsxError> {
    for (column, h) in (0_u16..).zip(headers) {
        sheet.write_string_with_format(0, column, *h, &formats.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A cell to write: text, or a number kept as a number.
enum Value {
    Text(String),
    Number(f64),
    Empty,
}

impl Value {
    fn text(t: Option<&str>) -> Value {
        t.map_or(Value::Empty, |t| Value::Text(t.to_owned()))
    }

    fn number(v: Option<f64>) -> Value {
        v.map_or(Value::Empty, Value::Number)
    }

    fn write(
        self,
        sheet: &mut Worksheet,
        row: u32,
        column: u16,
        format: &Format,
    ) -> Result<(), XlsxError> {
        match self {
            Value::Text(t) if !t.is_empty() => {
                sheet.write_string_with_format(row, column, t, format)?;
            }
            Value::Number(n) => {
                sheet.write_number_with_format(row, column, n, format)?;
            }
            Value::Text(_) | Value::Empty => {}
        }
        Ok(())
    }
}

fn indicator_cells(
    project: &pdca_core::plan::Project,
    indicator: &pdca_core::plan::Indicator,
    doc: &IndicatorDocument,
) -> Vec<(Col, Value)> {
    let target = doc.target.clone().unwrap_or_default();
    // The comparator is written wherever the form has one, default or not, so that the sheet
    // says it.
    let comparator = match &indicator.target {
        Some(
            Target::Cumulative { comparator, .. }
            | Target::Ratio { comparator, .. }
            | Target::Level { comparator, .. }
            | Target::Relative { comparator, .. },
        ) => Value::Text(label(&COMPARATORS, *comparator).to_owned()),
        _ => Value::Empty,
    };
    vec![
        (Col::Id, Value::Text(doc.id.clone())),
        (Col::ProjectId, Value::Text(project.id.clone())),
        (Col::ProjectName, Value::Text(project.name.clone())),
        (Col::Kind, Value::Text(label(&KINDS, doc.kind).to_owned())),
        (Col::Group, Value::Text(doc.group.clone())),
        (Col::Management, Value::text(doc.management.then_some(MARK))),
        (Col::Name, Value::Text(doc.name.clone())),
        (
            Col::Measure,
            Value::Text(label(&MEASURES, doc.measure).to_owned()),
        ),
        (Col::Unit, Value::Text(indicator.unit.clone())),
        (Col::TargetText, Value::Text(target_text(indicator))),
        (Col::Value, Value::number(target.value)),
        (Col::Comparator, comparator),
        (Col::PerYear, Value::number(target.per_year)),
        (Col::Factor, Value::number(target.factor)),
        (
            Col::BaselineFy,
            Value::number(target.baseline_fy.map(|y| y as f64)),
        ),
        (
            Col::DeadlineFy,
            Value::number(target.deadline_fy.map(|y| y as f64)),
        ),
        (Col::Parent, Value::text(doc.parent.as_deref())),
        (
            Col::Bodies,
            Value::text(doc.bodies.as_deref().map(assignments_text).as_deref()),
        ),
        (
            Col::Counting,
            Value::Text(label(&COUNTINGS, doc.counting).to_owned()),
        ),
        (
            Col::Profile,
            Value::text(doc.expected_profile.as_deref().map(numbers_text).as_deref()),
        ),
        (Col::Note, Value::text(doc.note.as_deref())),
        (
            Col::CountedFrom,
            Value::text((doc.counted_from == CountedFrom::Achievements).then_some(MARK)),
        ),
        (
            Col::AchievementTag,
            Value::text(doc.achievement_tag.as_deref()),
        ),
    ]
}

/// `amed:20, mext:5` or `amed`.
fn assignments_text(list: &[Assignment]) -> String {
    list.iter()
        .map(|a| match a.share {
            Some(s) => format!("{}:{s}", a.body),
            None => a.body.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `10, 15, 20`: each number written so that it reads back as the same `f64`.
fn numbers_text(values: &[f64]) -> String {
    values
        .iter()
        .map(f64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
