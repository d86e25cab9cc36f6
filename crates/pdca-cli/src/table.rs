//! Plain-text tables aligned for a Japanese terminal: widths are East Asian display widths, so
//! full-width characters take two columns.

use unicode_width::UnicodeWidthStr;

/// Column alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Pad on the right.
    Left,
    /// Pad on the left (numbers).
    Right,
}

/// The display width of `s` in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, ending with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Renders rows under a header with the given alignments, two spaces between columns.
pub fn render(header: &[&str], aligns: &[Align], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(width(cell));
            }
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            let pad = " ".repeat(w.saturating_sub(width(cell)));
            let align = aligns.get(i).copied().unwrap_or(Align::Left);
            if i > 0 {
                out.push_str("  ");
            }
            match align {
                Align::Left => {
                    out.push_str(cell);
                    if i + 1 < cells.len() {
                        out.push_str(&pad);
                    }
                }
                Align::Right => {
                    out.push_str(&pad);
                    out.push_str(cell);
                }
            }
        }
        out
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    out.push_str(&"─".repeat(total));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_full_width_text_by_display_width() {
        let out = render(
            &["ID", "名前", "値"],
            &[Align::Left, Align::Left, Align::Right],
            &[
                vec!["a".into(), "非臨床POC".into(), "5".into()],
                vec!["bb".into(), "x".into(), "125".into()],
            ],
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(width(lines[2]), width(lines[3]));
        assert_eq!(width(lines[0]), width(lines[2]));
        assert!(lines[2].ends_with("  5"));
    }

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate("非臨床POCの取得件数", 8), "非臨床P…");
        assert!(width(&truncate("非臨床POCの取得件数", 8)) <= 8);
        assert_eq!(truncate("abc", 8), "abc");
    }
}
