//! Who sees which achievement, and how much of it: the secretariat and the committee see every
//! achievement whole; a body sees its own in any state and the other bodies' approved ones; a
//! viewer (and everything published) sees only approved, public achievements, and of them only
//! the title, the institution, the year and the indicator — never the 課題番号, the link, the
//! note or anything else a partner may have asked to keep confidential.

use serde::{Deserialize, Serialize};

use crate::access::{ActualState, Role};
use crate::fiscal_year::FiscalYear;

use super::{Achievement, AchievementId};

/// An achievement as one role may see it: what every reader sees, and the details (`None` for a
/// viewer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AchievementView {
    /// Its identity.
    pub id: AchievementId,
    /// The indicator it counts towards.
    pub indicator: String,
    /// The fiscal (or calendar) year.
    pub year: FiscalYear,
    /// 成果名・品目名.
    pub title: String,
    /// 実施機関.
    pub institution: Option<String>,
    /// Everything else, for the roles that see it whole.
    pub details: Option<AchievementDetails>,
}

/// What only the secretariat, the committee and the bodies see of an achievement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AchievementDetails {
    /// Its latest revision's number, as read.
    pub version: i64,
    /// The reporting body's id.
    pub body: String,
    /// 課題番号.
    pub project_code: Option<String>,
    /// The date it was reached, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// 区分.
    pub tags: Vec<String>,
    /// 公開可否.
    pub public: bool,
    /// 顕著な成果の候補.
    pub notable: bool,
    /// The evidence link.
    pub url: Option<String>,
    /// 備考.
    pub note: Option<String>,
    /// Where it stands in the approval flow.
    pub state: ActualState,
}

/// Whether `role` sees achievements whole (everything but a viewer).
pub fn sees_details(role: Role) -> bool {
    role != Role::Viewer
}

/// Achievement `a` as `role` (of body `body`, for a [`Role::Body`]) may see it, or `None` when
/// it may not see it at all. `a` is the revision the caller read: for a reader of approved
/// values only, the latest approved revision of another body's achievement.
pub fn visible(role: Role, body: Option<&str>, a: &Achievement) -> Option<AchievementView> {
    let f = &a.fields;
    let may_see = match role {
        Role::Secretariat | Role::Committee => true,
        Role::Body => a.state.is_approved() || body.is_some_and(|b| b == f.body),
        Role::Viewer => a.state.is_approved() && f.public,
    };
    if !may_see {
        return None;
    }
    let details = sees_details(role).then(|| AchievementDetails {
        version: a.version,
        body: f.body.clone(),
        project_code: f.project_code.clone(),
        date: f.date.clone(),
        tags: f.tags.clone(),
        public: f.public,
        notable: f.notable,
        url: f.url.clone(),
        note: f.note.clone(),
        state: a.state,
    });
    Some(AchievementView {
        id: a.id,
        indicator: f.indicator.clone(),
        year: f.year,
        title: f.title.clone(),
        institution: f.institution.clone(),
        details,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::achievements::AchievementFields;

    fn achievement(body: &str, state: ActualState, public: bool) -> Achievement {
        Achievement {
            id: AchievementId(7),
            version: 2,
            fields: AchievementFields {
                indicator: "p1-out-01".to_owned(),
                year: FiscalYear::new(2022).unwrap(),
                body: body.to_owned(),
                project_code: Some("JP22ab0001".to_owned()),
                title: "抗体Aの非臨床POC".to_owned(),
                institution: Some("A大学".to_owned()),
                date: Some("2022-10-01".to_owned()),
                tags: vec!["遺伝子治療".to_owned()],
                public,
                notable: true,
                url: Some("https://example.jp/a".to_owned()),
                note: Some("導出先は非公開".to_owned()),
            },
            state,
        }
    }

    #[test]
    fn the_secretariat_and_the_committee_see_everything_whole() {
        for role in [Role::Secretariat, Role::Committee] {
            for state in ActualState::ALL {
                let a = achievement("amed", state, false);
                let v = visible(role, None, &a).expect("visible");
                let d = v.details.expect("details");
                assert_eq!(d.project_code.as_deref(), Some("JP22ab0001"));
                assert_eq!(d.state, state);
            }
        }
    }

    #[test]
    fn a_body_sees_its_own_in_any_state_and_others_approved() {
        for state in ActualState::ALL {
            let own = achievement("amed", state, false);
            assert!(visible(Role::Body, Some("amed"), &own).is_some(), "{state}");
            let other = achievement("mext", state, false);
            assert_eq!(
                visible(Role::Body, Some("amed"), &other).is_some(),
                state.is_approved(),
                "{state}"
            );
        }
        // A body account without a body sees only approved achievements.
        assert!(
            visible(
                Role::Body,
                None,
                &achievement("amed", ActualState::Draft, true)
            )
            .is_none()
        );
    }

    #[test]
    fn a_viewer_sees_the_title_institution_year_and_indicator_of_public_approved_ones() {
        let a = achievement("amed", ActualState::Approved, true);
        let v = visible(Role::Viewer, None, &a).expect("visible");
        assert_eq!(v.title, "抗体Aの非臨床POC");
        assert_eq!(v.institution.as_deref(), Some("A大学"));
        assert_eq!(v.year.year(), 2022);
        assert_eq!(v.indicator, "p1-out-01");
        assert!(v.details.is_none());
        assert!(
            visible(
                Role::Viewer,
                None,
                &achievement("amed", ActualState::Approved, false)
            )
            .is_none()
        );
        assert!(
            visible(
                Role::Viewer,
                None,
                &achievement("amed", ActualState::Submitted, true)
            )
            .is_none()
        );
    }

    fn any_state() -> impl Strategy<Value = ActualState> {
        prop::sample::select(ActualState::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn a_viewer_never_sees_a_confidential_or_unapproved_item_nor_its_details(
            state in any_state(),
            public in any::<bool>(),
            body in prop::option::of("[a-z]{1,6}"),
            code in "JPX[0-9]{4,8}",
            url_tail in "[a-z]{1,8}",
            note in "備考[a-z]{1,8}",
        ) {
            let mut a = achievement("amed", state, public);
            a.fields.project_code = Some(code.clone());
            a.fields.url = Some(format!("https://example.jp/{url_tail}"));
            a.fields.note = Some(note.clone());
            match visible(Role::Viewer, body.as_deref(), &a) {
                None => prop_assert!(!public || !state.is_approved()),
                Some(v) => {
                    prop_assert!(public && state.is_approved());
                    prop_assert!(v.details.is_none());
                    let json = serde_json::to_string(&v).unwrap();
                    prop_assert!(!json.contains(&code));
                    prop_assert!(!json.contains("example.jp"));
                    prop_assert!(!json.contains("2022-10-01"));
                    prop_assert!(!json.contains(&note));
                }
            }
        }
    }
}
