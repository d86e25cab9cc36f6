//! The report's file formats: what `pdca report --format`, the download buttons and the API
//! accept, with each format's file extension and media type.

use std::fmt;
use std::str::FromStr;

use crate::ReportError;
use crate::model::Report;

/// A format the report can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// An A4 PDF for the meeting materials (with the `pdf` feature, on by default).
    #[cfg(feature = "pdf")]
    Pdf,
    /// Markdown, for review and diffs.
    Markdown,
    /// An Excel workbook.
    Xlsx,
}

impl Format {
    /// Every format.
    #[cfg(feature = "pdf")]
    pub const ALL: [Format; 3] = [Format::Pdf, Format::Xlsx, Format::Markdown];
    /// Every format.
    #[cfg(not(feature = "pdf"))]
    pub const ALL: [Format; 2] = [Format::Xlsx, Format::Markdown];

    /// The name used on the command line and in URLs: `md`, `xlsx`.
    pub fn as_str(self) -> &'static str {
        match self {
            #[cfg(feature = "pdf")]
            Format::Pdf => "pdf",
            Format::Markdown => "md",
            Format::Xlsx => "xlsx",
        }
    }

    /// The media type of the file.
    pub fn content_type(self) -> &'static str {
        match self {
            #[cfg(feature = "pdf")]
            Format::Pdf => "application/pdf",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The report in this format.
    pub fn render(self, report: &Report) -> Result<Vec<u8>, ReportError> {
        match self {
            #[cfg(feature = "pdf")]
            Format::Pdf => crate::pdf(report),
            Format::Markdown => Ok(crate::markdown(report).into_bytes()),
            Format::Xlsx => crate::xlsx(report),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("形式「{0}」には対応していません（{formats}）", formats = Format::ALL.map(Format::as_str).join("、"))]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            #[cfg(feature = "pdf")]
            "pdf" => Ok(Format::Pdf),
            "md" | "markdown" => Ok(Format::Markdown),
            "xlsx" | "excel" => Ok(Format::Xlsx),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}
