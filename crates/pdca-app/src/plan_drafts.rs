//! A plan, or a revision of one, from the text of its KPI annex: the draft with the account of
//! every source line, the plan it gives when it validates, what it keeps from the revision in
//! force, and how it differs from it — what the web page 「計画の本文から作成」 shows before
//! anything is saved, and what it saves.

use pdca_core::plan::Plan;
use pdca_core::plan_diff::{PlanDiff, carry_ids, diff_plans};
use pdca_core::plan_draft::{Correction, Draft, DraftMeta, draft_plan};
use pdca_core::plan_file::{parse_plan, render_plan};
use pdca_core::plan_revision::carry_setup;

/// The most characters of annex text read at once (a KPI annex is a few thousand lines).
pub const MAX_ANNEX_CHARS: usize = 1_000_000;

/// The name the drafted file is checked under, in messages.
const DRAFT_FILE: &str = "本文から作成した計画";

/// A draft and what it would save.
#[derive(Debug)]
pub struct Prepared {
    /// The draft, with every source line accounted for.
    pub draft: Draft,
    /// The plan to save with its file text, or every problem `pdca plan validate` would list.
    pub plan: Result<(Plan, String), String>,
    /// For a revision: how the plan to save differs from the revision in force.
    pub diff: Option<PlanDiff>,
}

impl Prepared {
    /// Whether it can be saved: every line read, and the plan valid.
    pub fn is_ready(&self) -> bool {
        self.draft.is_complete() && self.plan.is_ok()
    }
}

/// The corrections a person typed over a draft: for each indicator of `uncorrected` (the draft
/// without corrections), the name and the target text posted for it, kept where they differ
/// from what was drafted. `posted(id)` gives the two fields posted for the drafted id; each
/// correction names the indicator's line and id, so that a sub-target written on its parent's
/// line is corrected apart from its parent.
pub fn corrections<'a>(
    uncorrected: &Draft,
    posted: impl Fn(&str) -> (Option<&'a str>, Option<&'a str>),
) -> Vec<Correction> {
    uncorrected
        .indicators
        .iter()
        .filter_map(|i| {
            let (name, target) = posted(&i.id);
            let name = name
                .map(str::trim)
                .filter(|n| !n.is_empty() && *n != i.name);
            let drafted_target = i.target_text.as_deref().unwrap_or("");
            let target = target.map(str::trim).filter(|t| *t != drafted_target);
            (name.is_some() || target.is_some()).then(|| Correction {
                line: i.line,
                id: Some(i.id.clone()),
                name: name.map(str::to_owned),
                target: target.map(str::to_owned),
            })
        })
        .collect()
}

/// Drafts `source` under `meta` (corrections included) and, for a revision, carries the ids and
/// the setup of `previous` (the revision in force) into it and compares the two.
pub fn prepare(source: &str, meta: DraftMeta, previous: Option<&Plan>) -> Prepared {
    let draft = draft_plan(source, meta);
    let parsed = parse_plan(DRAFT_FILE, &draft.toml).map_err(|e| e.to_string());
    let (plan, diff) = match (parsed, previous) {
        (Ok(mut plan), Some(previous)) => {
            carry_ids(previous, &mut plan);
            carry_setup(previous, &mut plan);
            let text = render_plan(&plan);
            // The carried plan is checked again as the file that is saved.
            match parse_plan(DRAFT_FILE, &text) {
                Ok(checked) => {
                    let diff = diff_plans(previous, &checked);
                    (Ok((checked, text)), Some(diff))
                }
                Err(e) => (Err(e.to_string()), None),
            }
        }
        (Ok(plan), None) => (Ok((plan, draft.toml.clone())), None),
        (Err(e), _) => (Err(e), None),
    };
    Prepared { draft, plan, diff }
}
