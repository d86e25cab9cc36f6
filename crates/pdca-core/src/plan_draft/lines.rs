//! What one line of a KPI annex is, judged from the line alone: a heading, a bullet, a footnote,
//! a page header, or text that only its neighbours can explain (a broken name, a target).

use crate::plan::IndicatorKind;

use super::targets::is_target_only;

/// One line of the annex, classified.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Line<'a> {
    /// Nothing but white space (the PDF's empty lines and its footnote rules).
    Blank,
    /// `① 医薬品プロジェクト`: the text after the circled number.
    Project(&'a str),
    /// `＜アウトプット＞` / `＜アウトカム＞`: a kind whose ○ groups follow.
    Kind(IndicatorKind),
    /// `アウトプット指標` / `アウトカム指標`: a kind inside a `<…>` section (other plans' layout).
    KindHeading(IndicatorKind),
    /// `<研究開発一般>`: a section of other plans' annexes, whose ○ lines are indicators.
    Section(&'a str),
    /// `（その他管理指標）`: the bullets that follow are management indicators.
    Management,
    /// `○シーズ研究に関する指標`: the text after ○.
    Group(&'a str),
    /// `・非臨床 POC1の取得件数 25件`: the text after ・.
    Bullet(&'a str),
    /// `-支援継続／終了の状況`: the text after the dash.
    SubBullet(&'a str),
    /// `1 Proof of Conceptの略。…`: the footnote's number and text.
    Footnote(u32, &'a str),
    /// `- 3 -`, `12`, `3/10`.
    PageNumber,
    /// `第 26回健康・医療戦略推進専門調査会 資料５`, `令和 5年 6月 13日`.
    PageHeader,
    /// `※…`, `（注）…`: a remark on the indicator above.
    Note,
    /// Anything else, trimmed: a continuation of a name, a target, or something not understood.
    Text(&'a str),
}

/// Circled numbers ① … ⑳ open a project heading.
fn is_circled_number(c: char) -> bool {
    ('\u{2460}'..='\u{2473}').contains(&c)
}

const BULLETS: [char; 3] = ['・', '･', '•'];
const DASHES: [char; 5] = ['-', '－', '‐', '−', '–'];
const GROUP_MARKS: [char; 3] = ['○', '〇', '◯'];

/// Classifies one line of the annex.
pub(super) fn classify(raw: &str) -> Line<'_> {
    let line = raw.trim();
    let Some(first) = line.chars().next() else {
        return Line::Blank;
    };
    let rest = line[first.len_utf8()..].trim();
    let bare: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = bare.trim_matches(|c| "＜＞<>〈〉【】［］[]（）()".contains(c));
    match inner {
        "アウトプット" => return Line::Kind(IndicatorKind::Output),
        "アウトカム" => return Line::Kind(IndicatorKind::Outcome),
        "アウトプット指標" => return Line::KindHeading(IndicatorKind::Output),
        "アウトカム指標" => return Line::KindHeading(IndicatorKind::Outcome),
        "その他管理指標" => return Line::Management,
        _ => {}
    }
    if is_circled_number(first) && !rest.is_empty() {
        return Line::Project(rest);
    }
    if let Some(name) = numbered_project(line) {
        return Line::Project(name);
    }
    if let Some(name) = section(line) {
        return Line::Section(name);
    }
    if GROUP_MARKS.contains(&first) {
        return Line::Group(rest);
    }
    if BULLETS.contains(&first) {
        return Line::Bullet(rest);
    }
    if is_page_number(&bare) {
        return Line::PageNumber;
    }
    if DASHES.contains(&first) {
        return Line::SubBullet(rest);
    }
    if first == '※'
        || bare.starts_with("（注")
        || bare.starts_with("(注")
        || bare.starts_with("注）")
    {
        return Line::Note;
    }
    if is_page_header(&bare) {
        return Line::PageHeader;
    }
    if let Some((number, text)) = footnote(line) {
        return Line::Footnote(number, text);
    }
    Line::Text(line)
}

/// `１．医薬品プロジェクト`, `(2) 医療機器・ヘルスケアプロジェクト`: a numbered heading that
/// names a project (the word プロジェクト ends it, so that numbered notes are not taken for one).
fn numbered_project(line: &str) -> Option<&str> {
    if !line.ends_with("プロジェクト") {
        return None;
    }
    let unbracketed = line.strip_prefix(['(', '（']).map_or(line, str::trim_start);
    let digits = unbracketed
        .char_indices()
        .take_while(|(_, c)| digit_value(*c).is_some())
        .last()
        .map(|(i, c)| i + c.len_utf8())?;
    if digits > 2 * '０'.len_utf8() {
        return None;
    }
    let after = &unbracketed[digits..];
    let name = if unbracketed.len() == line.len() {
        after.strip_prefix(['.', '．', '、', ' ', '　'])?
    } else {
        after.strip_prefix([')', '）'])?
    };
    Some(name.trim()).filter(|n| !n.is_empty())
}

/// `<研究開発一般>`, `＜創薬ベンチャー支援＞`, `〈…〉`: the text inside, when the whole line is one
/// such heading.
fn section(line: &str) -> Option<&str> {
    let pairs = [
        ('<', '>'),
        ('＜', '＞'),
        ('〈', '〉'),
        ('《', '》'),
        ('【', '】'),
    ];
    let (open, close) = pairs.iter().find(|(o, _)| line.starts_with(*o))?;
    let inner = line.strip_prefix(*open)?.strip_suffix(*close)?.trim();
    let nested = inner.contains(|c| pairs.iter().any(|(o, cl)| c == *o || c == *cl));
    (!inner.is_empty() && !nested).then_some(inner)
}

/// The value of an ASCII or full-width digit.
pub(super) fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(u32::from(c) - u32::from('０')),
        _ => None,
    }
}

/// `12`, `- 12 -`, `－１２－`, `12/30`, `p.12`: a page number with nothing else on the line.
fn is_page_number(bare: &str) -> bool {
    let s = bare.strip_prefix("p.").unwrap_or(bare);
    let s = s.trim_matches(|c| DASHES.contains(&c));
    let mut parts = s.splitn(2, ['/', '／']);
    let numeric = |p: &str| {
        (1..=4).contains(&p.chars().count()) && p.chars().all(|c| digit_value(c).is_some())
    };
    parts.next().is_some_and(numeric) && parts.next().is_none_or(numeric)
}

/// The running header of a committee's material: the meeting (`第 26回…調査会`), the material's
/// number (`資料５`, `参考資料４`), or a date alone (`令和 5年 6月 13日`).
fn is_page_header(bare: &str) -> bool {
    let meeting = bare.starts_with('第')
        && bare.chars().skip(1).find(|c| digit_value(*c).is_none()) == Some('回')
        && bare.chars().nth(1).and_then(digit_value).is_some();
    let material = ["資料", "参考資料"].iter().any(|word| {
        bare.match_indices(word).any(|(i, _)| {
            bare[i + word.len()..]
                .chars()
                .next()
                .and_then(digit_value)
                .is_some()
        })
    });
    let date = (bare.starts_with("令和") || bare.starts_with("平成"))
        && bare.ends_with('日')
        && bare.contains('年')
        && bare.contains('月')
        && bare.chars().count() <= 12;
    meeting || material || date
}

/// `1 Proof of Conceptの略。…`: one or two digits, white space, and a text that is not a target.
fn footnote(line: &str) -> Option<(u32, &str)> {
    let digits: String = line
        .chars()
        .take_while(|c| digit_value(*c).is_some())
        .collect();
    if digits.is_empty() || digits.chars().count() > 2 {
        return None;
    }
    let after = &line[digits.len()..];
    if !after.starts_with(char::is_whitespace) {
        return None;
    }
    let text = after.trim();
    if text.is_empty() || is_target_only(line) {
        return None;
    }
    let number = digits
        .chars()
        .filter_map(digit_value)
        .fold(0, |n, d| n * 10 + d);
    Some((number, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_bullets_and_noise() {
        assert_eq!(
            classify("① 医薬品プロジェクト "),
            Line::Project("医薬品プロジェクト")
        );
        assert_eq!(
            classify("＜アウトカム＞ "),
            Line::Kind(IndicatorKind::Outcome)
        );
        assert_eq!(
            classify("<アウトプット>"),
            Line::Kind(IndicatorKind::Output)
        );
        assert_eq!(classify("（その他管理指標） "), Line::Management);
        assert_eq!(
            classify(" ○シーズ研究に関する指標 "),
            Line::Group("シーズ研究に関する指標")
        );
        assert_eq!(
            classify("・臨床 POCの取得件数 ５件 "),
            Line::Bullet("臨床 POCの取得件数 ５件")
        );
        assert_eq!(
            classify("-支援継続／終了の状況 "),
            Line::SubBullet("支援継続／終了の状況")
        );
        assert_eq!(
            classify("1 Proof of Conceptの略。"),
            Line::Footnote(1, "Proof of Conceptの略。")
        );
        assert_eq!(classify("400件 "), Line::Text("400件"));
        assert_eq!(classify("10 件"), Line::Text("10 件"));
        assert_eq!(classify("                 "), Line::Blank);
        for page in ["3", "- 3 -", "－１２－", "3/10", "12 / 30"] {
            assert_eq!(classify(page), Line::PageNumber, "{page}");
        }
        for header in [
            "第 35回健康・医療戦略",
            "推進専門調査会 参考資料４",
            "令和 5年 6月 13日",
            "第 26回健康・医療戦略推進専門調査会 資料５",
        ] {
            assert_eq!(classify(header), Line::PageHeader, "{header}");
        }
        assert_eq!(classify("※ 数値は累計"), Line::Note);
        assert_eq!(classify("＜研究開発一般＞"), Line::Section("研究開発一般"));
        assert_eq!(
            classify("<創薬ベンチャー支援>"),
            Line::Section("創薬ベンチャー支援")
        );
        assert_eq!(
            classify("【アウトカム指標】"),
            Line::KindHeading(IndicatorKind::Outcome)
        );
        assert_eq!(
            classify("１．医薬品プロジェクト"),
            Line::Project("医薬品プロジェクト")
        );
        assert_eq!(
            classify("(2) 医療機器・ヘルスケアプロジェクト"),
            Line::Project("医療機器・ヘルスケアプロジェクト")
        );
        assert_eq!(classify("1. 注記の一文"), Line::Text("1. 注記の一文"));
    }
}
