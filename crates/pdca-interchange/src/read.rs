//! Reading an actuals file into text rows: the format from the file name, the encoding of a CSV
//! file from its bytes, the sheet of a workbook by name.

use std::borrow::Cow;
use std::path::Path;

use encoding_rs::{DecoderResult, Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE};
use pdca_core::import::{Layout, RawRow, column_letter};

use crate::workbook::{Kind, read_workbook};
use crate::{InterchangeError, Limits, Table};

/// Sheet names an actuals workbook is read from before its first sheet.
const ACTUALS_SHEETS: &[&str] = &["actuals", "実績"];

/// A file read as text rows, before anything but its header row is interpreted: what
/// `on_header` made of the header, the data rows below it (blank ones included) with their
/// physical row numbers, and the sheet read, for a workbook.
pub(crate) struct Rows<H> {
    pub(crate) header: H,
    pub(crate) rows: Vec<RawRow>,
    pub(crate) sheet: Option<String>,
}

/// The file extensions [`read_table`] accepts (compared without regard to case).
pub const ACCEPTED_EXTENSIONS: &[&str] = &[".csv", ".txt", ".xlsx", ".xlsm", ".xlsb"];

enum Format {
    Csv,
    Workbook(Kind),
    /// A workbook format whose reader cannot be bounded (see the `workbook` module).
    Refused,
}

impl Format {
    fn of(file_name: &str) -> Option<Format> {
        let ext = Path::new(file_name)
            .extension()?
            .to_str()?
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(Format::Csv),
            "xlsx" | "xlsm" => Some(Format::Workbook(Kind::Xlsx)),
            "xlsb" => Some(Format::Workbook(Kind::Xlsb)),
            "xls" | "ods" => Some(Format::Refused),
            _ => None,
        }
    }
}

/// Reads an actuals file held in memory. The format comes from `file_name`'s extension (see
/// [`ACCEPTED_EXTENSIONS`]); the first non-empty row is the header.
///
/// A CSV file may be UTF-8 (with or without a byte order mark), Shift_JIS (CP932, as Japanese
/// Excel saves it) or UTF-16 with a byte order mark (Excel's "Unicode text", tab-separated); tabs
/// are taken as the separator when the header has more tabs than commas. A workbook is read from
/// its sheet named `actuals` or `実績`, else from its first worksheet, as a stream of cells;
/// `.xls` and `.ods` books are refused (save them as .xlsx or CSV).
///
/// Reads within [`Limits::COMMAND_LINE`]; [`read_table_limited`] takes other limits.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Table, InterchangeError> {
    read_table_limited(file_name, bytes, &Limits::COMMAND_LINE)
}

/// [`read_table`] within `limits`: a file past one is refused with a message naming it.
pub fn read_table_limited(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Table, InterchangeError> {
    let read = read_rows(file_name, bytes, limits, ACTUALS_SHEETS, |headers, row| {
        Layout::from_headers(&headers, row).map_err(|errors| InterchangeError::Header {
            file: file_name.to_owned(),
            errors,
        })
    })?;
    Ok(Table {
        layout: read.header,
        rows: read.rows,
        sheet: read.sheet,
    })
}

/// Reads any table file pdca accepts (the formats, encodings and limits of [`read_table`]):
/// the first non-blank row is the header, handed to `on_header` with its row number as soon as
/// it is read (so that a bad header is reported before the rows are read); a workbook is read
/// from its first worksheet named one of `sheets` (case and spaces aside), else its first.
pub(crate) fn read_rows<H>(
    file_name: &str,
    bytes: &[u8],
    limits: &Limits,
    sheets: &[&str],
    on_header: impl FnMut(Vec<String>, usize) -> Result<H, InterchangeError>,
) -> Result<Rows<H>, InterchangeError> {
    match Format::of(file_name) {
        Some(Format::Csv) => read_csv(file_name, bytes, limits, on_header),
        Some(Format::Workbook(kind)) => {
            read_workbook(file_name, bytes, kind, limits, sheets, on_header)
        }
        Some(Format::Refused) => Err(InterchangeError::RefusedFormat {
            file: file_name.to_owned(),
        }),
        None => Err(InterchangeError::UnknownFormat {
            file: file_name.to_owned(),
        }),
    }
}

fn read_csv<H>(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
    mut on_header: impl FnMut(Vec<String>, usize) -> Result<H, InterchangeError>,
) -> Result<Rows<H>, InterchangeError> {
    let text = decode(file, bytes)?;
    let data = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(data))
        .from_reader(data);
    let mut record = csv::ByteRecord::new();
    let mut header: Option<(H, usize)> = None;
    let mut rows = Vec::new();
    let mut lines = LineCounter::new(data);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(InterchangeError::Csv {
                    file: file.to_owned(),
                    row: e.position().map_or(0, |p| lines.line_at(p.byte())),
                    message: e.to_string(),
                });
            }
        }
        let row = record.position().map_or(0, |p| lines.line_at(p.byte()));
        match &header {
            None => {
                if record.iter().all(is_blank) {
                    continue;
                }
                let headers = cells(file, row, &record)?;
                let width = headers.len();
                header = Some((on_header(headers, row)?, width));
            }
            Some((_, width)) => {
                let width = *width;
                if rows.len() >= limits.max_rows {
                    return Err(InterchangeError::TooManyRows {
                        file: file.to_owned(),
                        sheet: None,
                        row,
                        limit: limits.max_rows,
                    });
                }
                if let Some(extra) = record.iter().skip(width).position(|f| !is_blank(f)) {
                    let column = width + extra + 1;
                    return Err(InterchangeError::Csv {
                        file: file.to_owned(),
                        row,
                        message: format!(
                            "{}列（{column}列目）に値がありますが、見出しは{width}列までです（カンマを含む値は \"…\" で囲んでください）",
                            column_letter(column)
                        ),
                    });
                }
                rows.push(raw_row(file, row, &record, width)?);
            }
        }
    }
    match header {
        Some((header, _)) => Ok(Rows {
            header,
            rows,
            sheet: None,
        }),
        None => Err(InterchangeError::Empty {
            file: file.to_owned(),
        }),
    }
}

/// Physical line numbers of record starts. The csv reader's own line count lags by one after a
/// CRLF or a skipped blank line, so lines are counted here from byte offsets, which only grow.
struct LineCounter<'a> {
    data: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            offset: 0,
            line: 1,
        }
    }

    /// The line on which the record reported at `byte` starts: its offset may point at the line
    /// end before it, which is skipped.
    fn line_at(&mut self, byte: u64) -> usize {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.data.len());
        while self
            .data
            .get(start)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            start += 1;
        }
        if start >= self.offset {
            let between = self.data.get(self.offset..start).unwrap_or_default();
            // A line ends at LF, CRLF or a bare CR (old Mac files), as the CSV reader reads it.
            self.line += between
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && between.get(i + 1) != Some(&b'\n')))
                .count();
            self.offset = start;
        }
        self.line
    }
}

fn is_blank(field: &[u8]) -> bool {
    field.iter().all(u8::is_ascii_whitespace)
        || std::str::from_utf8(field).is_ok_and(|s| s.trim().is_empty())
}

fn cells(
    file: &str,
    row: usize,
    record: &csv::ByteRecord,
) -> Result<Vec<String>, InterchangeError> {
    record
        .iter()
        .map(|field| field_text(file, row, field).map(str::to_owned))
        .collect()
}

/// A data row's first `width` cells (the ones under a header; any further ones are blank).
fn raw_row(
    file: &str,
    row: usize,
    record: &csv::ByteRecord,
    width: usize,
) -> Result<RawRow, InterchangeError> {
    // Validated once for the whole record; fields split at ASCII bytes, so each range of it is
    // a valid string too.
    let all = field_text(file, row, record.as_slice())?;
    let cells = width.min(record.len());
    let mut raw = RawRow::with_capacity(row, all.len(), cells);
    for i in 0..cells {
        let cell = record.range(i).and_then(|r| all.get(r));
        raw.push(cell.ok_or_else(|| InterchangeError::Encoding {
            file: file.to_owned(),
            line: row,
        })?);
    }
    Ok(raw)
}

fn field_text<'a>(file: &str, row: usize, field: &'a [u8]) -> Result<&'a str, InterchangeError> {
    // The whole text was decoded before parsing and fields split at ASCII bytes, so this never
    // fails; it is checked rather than assumed.
    std::str::from_utf8(field).map_err(|_| InterchangeError::Encoding {
        file: file.to_owned(),
        line: row,
    })
}

/// Tab-separated when the first non-empty line has more tabs than commas.
fn sniff_delimiter(data: &[u8]) -> u8 {
    let first = data
        .split(|&b| b == b'\n')
        .find(|line| !line.iter().all(u8::is_ascii_whitespace))
        .unwrap_or_default();
    let count = |c: u8| first.iter().filter(|&&b| b == c).count();
    if count(b'\t') > count(b',') {
        b'\t'
    } else {
        b','
    }
}

/// The text of a CSV file: UTF-8 as it is (less a byte order mark), UTF-16 when a byte order mark
/// says so, otherwise Shift_JIS.
pub(crate) fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<Cow<'a, str>, InterchangeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_with(file, UTF_16LE, rest).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_with(file, UTF_16BE, rest).map(Cow::Owned);
    }
    let unmarked = bytes.strip_prefix(b"\xEF\xBB\xBF");
    let data = unmarked.unwrap_or(bytes);
    match std::str::from_utf8(data) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => {
            let valid = data.get(..e.valid_up_to()).unwrap_or_default();
            // A byte order mark, or UTF-8 characters before the bad byte, say that the file is
            // UTF-8 and damaged; reading it as Shift_JIS would only garble it.
            if unmarked.is_some() || !valid.is_ascii() {
                return Err(InterchangeError::Encoding {
                    file: file.to_owned(),
                    line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
                });
            }
            decode_with(file, SHIFT_JIS, data).map(Cow::Owned)
        }
    }
}

fn decode_with(
    file: &str,
    encoding: &'static Encoding,
    bytes: &[u8],
) -> Result<String, InterchangeError> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len());
    let mut out = String::with_capacity(capacity);
    let mut rest = bytes;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        rest = rest.get(read..).unwrap_or_default();
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(rest.len().saturating_mul(3).max(16)),
            DecoderResult::Malformed(..) => {
                // Everything before the bad bytes has been decoded into `out`.
                return Err(InterchangeError::Encoding {
                    file: file.to_owned(),
                    line: out.matches('\n').count() + 1,
                });
            }
        }
    }
}
