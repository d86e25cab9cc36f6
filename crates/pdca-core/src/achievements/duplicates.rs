//! Possible duplicates among achievements: two reports of one indicator with the same 課題番号 and
//! title once normalised, or the same evidence link.
//!
//! Items are grouped by key in hash maps, so 100,000 achievements take one pass; no two items
//! are compared unless they share a key. A group of up to [`MAX_FULL_GROUP`] items gives every
//! pair in it. A larger group (the same report pasted hundreds of times) gives the chain of
//! consecutive ids (n − 1 pairs, enough for the secretariat to decide the whole group the same,
//! which the count follows transitively) plus every pair of the group that already has a
//! decision, so the work stays linear however large one group is.

use std::collections::{BTreeMap, HashMap};

use unicode_normalization::UnicodeNormalization;

use super::{Achievement, AchievementId, DuplicateDecision, DuplicateReason};

/// The largest group of look-alike achievements whose every pair is listed; a larger group is
/// listed as a chain (see the module doc).
pub const MAX_FULL_GROUP: usize = 8;

/// Two achievements of one indicator that may be one, with why and what was decided, if
/// anything.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DuplicatePair {
    /// The lower id.
    pub a: AchievementId,
    /// The higher id.
    pub b: AchievementId,
    /// Why they look alike (each reason once, in [`DuplicateReason`] order).
    pub reasons: Vec<DuplicateReason>,
    /// The secretariat's current decision on the pair, if any.
    pub decision: Option<DuplicateDecision>,
}

impl DuplicatePair {
    /// Whether the pair still waits for the secretariat.
    pub fn is_open(&self) -> bool {
        self.decision.is_none()
    }
}

/// 課題番号 as compared: NFKC, lower case, without white space and hyphens of any kind
/// (`JP19 am-0101001` and `ｊｐ１９ＡＭ０１０１００１` are one code). Empty: no code.
pub fn project_code_key(code: &str) -> String {
    code.nfkc()
        .filter(|c| !c.is_whitespace() && !is_hyphen(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_hyphen(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe63}' | '\u{ff0d}'
    )
}

/// A title as compared: NFKC, lower case, without white space.
pub fn title_key(title: &str) -> String {
    title
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A link as compared: trimmed, without trailing slashes, scheme and host in lower case (the
/// path keeps its case: servers may tell it apart). Empty: no link.
pub fn url_key(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(host_end);
    format!(
        "{}://{}{tail}",
        scheme.to_ascii_lowercase(),
        host.to_lowercase()
    )
}

/// The possible duplicate pairs among `items`: within one indicator (a sub-target's
/// achievements are recorded on its parent), `a < b`, sorted by `(a, b)`, each once with all its
/// reasons and its current decision from `decisions` (the last one given for a pair stands).
pub fn find_duplicates(
    items: &[Achievement],
    decisions: &[DuplicateDecision],
) -> Vec<DuplicatePair> {
    duplicates_among(items, decisions)
}

/// [`find_duplicates`] over borrowed items.
pub(super) fn duplicates_among<'a>(
    items: impl IntoIterator<Item = &'a Achievement>,
    decisions: &[DuplicateDecision],
) -> Vec<DuplicatePair> {
    let mut by_pair: HashMap<(AchievementId, AchievementId), &DuplicateDecision> = HashMap::new();
    for d in decisions {
        by_pair.insert(ordered(d.a, d.b), d);
    }
    // Groups of ids by key; keys hold the indicator so that pairs stay within one.
    let mut by_code: HashMap<(&'a str, String, String), Vec<AchievementId>> = HashMap::new();
    let mut by_url: HashMap<(&'a str, String), Vec<AchievementId>> = HashMap::new();
    for item in items {
        let f = &item.fields;
        let code = f
            .project_code
            .as_deref()
            .map(project_code_key)
            .unwrap_or_default();
        let title = title_key(&f.title);
        if !code.is_empty() && !title.is_empty() {
            by_code
                .entry((f.indicator.as_str(), code, title))
                .or_default()
                .push(item.id);
        }
        let url = f.url.as_deref().map(url_key).unwrap_or_default();
        if !url.is_empty() {
            by_url
                .entry((f.indicator.as_str(), url))
                .or_default()
                .push(item.id);
        }
    }
    // Decided pairs by id, so that a large group finds its decided pairs without looking at
    // every pair of the group.
    let mut decided_with: HashMap<AchievementId, Vec<AchievementId>> = HashMap::new();
    for &(a, b) in by_pair.keys() {
        decided_with.entry(a).or_default().push(b);
        decided_with.entry(b).or_default().push(a);
    }
    let mut pairs: BTreeMap<(AchievementId, AchievementId), Vec<DuplicateReason>> = BTreeMap::new();
    let groups = by_code
        .into_values()
        .map(|ids| (ids, DuplicateReason::SameProjectAndTitle))
        .chain(
            by_url
                .into_values()
                .map(|ids| (ids, DuplicateReason::SameUrl)),
        );
    for (mut ids, reason) in groups {
        ids.sort_unstable();
        ids.dedup();
        if ids.len() < 2 {
            continue;
        }
        let mut add = |a: AchievementId, b: AchievementId| {
            let reasons = pairs.entry(ordered(a, b)).or_default();
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        };
        if ids.len() <= MAX_FULL_GROUP {
            for (i, &a) in ids.iter().enumerate() {
                for &b in &ids[i + 1..] {
                    add(a, b);
                }
            }
        } else {
            for w in ids.windows(2) {
                add(w[0], w[1]);
            }
            for &a in &ids {
                for &b in decided_with.get(&a).into_iter().flatten() {
                    if a < b && ids.binary_search(&b).is_ok() {
                        add(a, b);
                    }
                }
            }
        }
    }
    pairs
        .into_iter()
        .map(|((a, b), mut reasons)| {
            reasons.sort_unstable();
            DuplicatePair {
                a,
                b,
                reasons,
                decision: by_pair.get(&(a, b)).map(|d| (*d).clone()),
            }
        })
        .collect()
}

fn ordered(a: AchievementId, b: AchievementId) -> (AchievementId, AchievementId) {
    if a <= b { (a, b) } else { (b, a) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_width_case_spacing_and_hyphens() {
        assert_eq!(project_code_key(" JP19 am-0101001 "), "jp19am0101001");
        assert_eq!(
            project_code_key("ｊｐ１９ＡＭ－０１０１００１"),
            "jp19am0101001"
        );
        assert_eq!(title_key(" 遺伝子 治療薬Ａ "), "遺伝子治療薬a");
        assert_eq!(
            url_key(" HTTPS://Example.JP/Path/ "),
            "https://example.jp/Path"
        );
        assert_eq!(
            url_key("https://example.jp"),
            url_key("https://EXAMPLE.jp/")
        );
    }
}
