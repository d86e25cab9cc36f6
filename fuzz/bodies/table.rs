//! Fuzz body of the targets `csv` and `xlsx`: any bytes as an uploaded actuals file, read as the
//! upload page and `pdca actuals import` read it (`pdca_interchange::read_table`; the name's
//! extension chooses the reader: for `.csv` encoding detection, delimiter sniffing, the header;
//! for `.xlsx` the zip, the sheet choice, the cells), then its rows validated against the
//! built-in plan (`pdca_core::import::validate_rows`).

use std::sync::OnceLock;

use pdca_core::import::validate_rows;
use pdca_core::{Actuals, Plan};

/// Reads `data` as the file `file_name` (`fuzz.csv` or `fuzz.xlsx`) and validates what was
/// read; neither may panic, whatever the bytes.
pub fn read_and_validate(file_name: &str, data: &[u8]) {
    if let Ok(table) = pdca_interchange::read_table(file_name, data) {
        let _ = validate_rows(plan(), &table.layout, &table.rows, &Actuals::default());
    }
}

fn plan() -> &'static Plan {
    static PLAN: OnceLock<Plan> = OnceLock::new();
    PLAN.get_or_init(|| match pdca_core::builtin::builtin_plan() {
        Ok(plan) => plan,
        Err(e) => panic!("the built-in plan does not parse: {e}"),
    })
}
