//! How much an actuals file may make pdca read: the inflated size of a workbook, the rows and the
//! cells kept. A file past a limit is refused with a message naming the limit; nothing in a file
//! (its declared sizes, the sheet's extent, the position of its last cell) sizes an allocation.

/// The bounds applied while reading one file with [`crate::read_table_limited`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes all entries of a workbook (a zip archive) may inflate to, together,
    /// counted while inflating: the sizes the archive declares are not trusted.
    pub max_inflated_bytes: u64,
    /// The most data rows (below the header, physical rows of the file or sheet) a file may
    /// have. `usize::MAX` means no limit; a sheet never has more than 1,048,576 rows.
    pub max_rows: usize,
    /// The most cells a workbook's rows may keep: the header's columns times the data rows.
    pub max_cells: usize,
}

impl Limits {
    /// For a file uploaded on the web (at most 20 MB as sent): 32 MB inflated, 100,000 rows,
    /// 1,000,000 cells. Two such files read at once stay well under 512 MB of memory.
    pub const UPLOAD: Limits = Limits {
        max_inflated_bytes: 32 * 1024 * 1024,
        max_rows: 100_000,
        max_cells: 1_000_000,
    };

    /// For `pdca actuals import`: 512 MB inflated (a full sheet of 1,048,576 rows of eight
    /// columns fits), CSV rows unlimited, 20,000,000 cells.
    pub const COMMAND_LINE: Limits = Limits {
        max_inflated_bytes: 512 * 1024 * 1024,
        max_rows: usize::MAX,
        max_cells: 20_000_000,
    };
}

/// A byte count as people read it: "32 MB" (binary megabytes, as Windows shows file sizes), or
/// bytes when less than one.
pub(crate) fn megabytes(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else {
        format!("{bytes} バイト")
    }
}

/// A count with thousands separators: 1,000,000.
pub(crate) fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}
