//! Who may do what: the roles of pdca's users and the approval states of reported actuals.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The shortest password pdca accepts, in characters (the web form and the CLI alike).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 事務局: everything, including administration.
    Secretariat,
    /// 報告機関: edits and submits only the indicators assigned to its body; reads what is approved.
    Body,
    /// 専門調査会委員: reads everything, including values under review.
    Committee,
    /// 閲覧者: reads approved data only.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Secretariat, Role::Body, Role::Committee, Role::Viewer];

    /// The name used in files, URLs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Secretariat => "secretariat",
            Role::Body => "body",
            Role::Committee => "committee",
            Role::Viewer => "viewer",
        }
    }

    /// The role's name in Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            Role::Secretariat => "事務局",
            Role::Body => "報告機関",
            Role::Committee => "専門調査会委員",
            Role::Viewer => "閲覧者",
        }
    }

    /// Whether the role may see values that are not approved yet.
    pub fn reads_unapproved(self) -> bool {
        matches!(self, Role::Secretariat | Role::Committee)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("役割「{0}」はありません（secretariat, body, committee, viewer のいずれか）")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// Where a reported value stands in the approval flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActualState {
    /// 一時保存: being entered by the body (saved, not yet submitted).
    Draft,
    /// 提出済み: submitted by the body, awaiting the secretariat.
    Submitted,
    /// 承認済み: approved by the secretariat; evaluations use it.
    Approved,
    /// 差戻し: returned to the body with a comment.
    Returned,
    /// 確定: locked when the fiscal year's follow-up closed.
    Locked,
}

impl ActualState {
    /// Every state.
    pub const ALL: [ActualState; 5] = [
        ActualState::Draft,
        ActualState::Submitted,
        ActualState::Approved,
        ActualState::Returned,
        ActualState::Locked,
    ];

    /// The name used in the database and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ActualState::Draft => "draft",
            ActualState::Submitted => "submitted",
            ActualState::Approved => "approved",
            ActualState::Returned => "returned",
            ActualState::Locked => "locked",
        }
    }

    /// The state's name in Japanese.
    pub fn label_ja(self) -> &'static str {
        match self {
            ActualState::Draft => "一時保存",
            ActualState::Submitted => "提出済み",
            ActualState::Approved => "承認済み",
            ActualState::Returned => "差戻し",
            ActualState::Locked => "確定",
        }
    }

    /// Whether evaluations count the value.
    pub fn is_approved(self) -> bool {
        matches!(self, ActualState::Approved | ActualState::Locked)
    }

    /// Whether the flow allows going from `self` to `to` (reopening a locked value is a
    /// separate secretariat action, not a transition).
    pub fn may_become(self, to: ActualState) -> bool {
        use ActualState::*;
        matches!(
            (self, to),
            (Draft | Returned, Draft | Submitted)
                | (Submitted, Approved | Returned)
                | (Approved, Locked)
        )
    }
}

impl fmt::Display for ActualState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ActualState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ActualState::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
            .ok_or_else(|| format!("状態「{s}」はありません"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_states_round_trip_their_names() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        for s in ActualState::ALL {
            assert_eq!(s.as_str().parse::<ActualState>(), Ok(s));
        }
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn the_approval_flow_allows_only_its_steps() {
        use ActualState::*;
        assert!(Draft.may_become(Submitted));
        assert!(Submitted.may_become(Approved));
        assert!(Submitted.may_become(Returned));
        assert!(Returned.may_become(Submitted));
        assert!(Approved.may_become(Locked));
        assert!(!Draft.may_become(Approved));
        assert!(!Locked.may_become(Draft));
        assert!(!Approved.may_become(Draft));
        assert!(Approved.is_approved() && Locked.is_approved() && !Submitted.is_approved());
    }
}
