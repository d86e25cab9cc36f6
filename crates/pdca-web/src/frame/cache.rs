//! Evaluations computed once per state of the data. A page or API read of a plan, an as-of
//! year and a visibility shares the plan revision in force, the actuals and the evaluation with
//! every other read of the same, for as long as the database's [`DataVersion`] — one cheap
//! query per request — stays the same. A write by any process changes the version, so the next
//! read recomputes: the cache holds nothing another process could contradict, and several
//! processes on one PostgreSQL database still behave as one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use pdca_core::{Actuals, FiscalYear, Plan, PlanEvaluation, evaluate_plan};
use pdca_store::{DataVersion, Visibility};

use crate::frame::auth::CurrentUser;
use crate::frame::etag::Tagged;
use crate::frame::view::{PlanQuery, default_as_of, encode_query, plan_in_force};
use crate::{AppState, WebError};
use pdca_app::json::evaluation_json;

/// A plan evaluated as of a year with the values of one visibility.
#[derive(Debug)]
pub(crate) struct Evaluated {
    /// The revision in force in the as-of year.
    pub plan: Plan,
    pub as_of: FiscalYear,
    pub visibility: Visibility,
    pub actuals: Actuals,
    pub evaluation: PlanEvaluation,
    /// `plan=…&as_of=…[&include_unapproved=1]`, for links that keep the same view.
    pub query: String,
    /// The plan's follow-up rounds (every write to them changes the data version too).
    pub rounds: Vec<pdca_core::follow_up::FollowUpRound>,
    /// The plan's meetings.
    pub meetings: Vec<pdca_core::follow_up::Meeting>,
    /// The API's JSON of the evaluation with its entity tag, serialised on first use.
    json: OnceLock<Tagged>,
    /// Pages' main parts rendered from this evaluation, by [`PageKey`].
    pages: Mutex<HashMap<PageKey, Arc<str>>>,
    /// Whole pages, with the frame of one user's session, by [`PageKey`] and [`Reader`].
    framed: Mutex<HashMap<(PageKey, Reader), Bytes>>,
}

/// Whose frame a page has: the user's id and the session's CSRF token (none for an API token).
pub(crate) type Reader = (i64, Option<String>);

/// What a page's main part depends on besides the evaluation: the page (path and query), the
/// language, the reader's role and the day (deadlines pass).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PageKey {
    pub here: String,
    pub lang: crate::frame::i18n::Lang,
    pub role: pdca_core::access::Role,
    pub today: time::Date,
}

/// How many rendered parts an evaluation keeps; past that it starts afresh.
const PAGES_KEPT: usize = 256;

impl Evaluated {
    /// The JSON of `pdca evaluate --format json` for this evaluation, with its entity tag.
    pub fn json(&self) -> Result<Tagged, WebError> {
        if let Some(tagged) = self.json.get() {
            return Ok(tagged.clone());
        }
        let tagged = Tagged::new(
            serde_json::to_vec(&evaluation_json(&self.plan, &self.evaluation))
                .map_err(|e| WebError::Internal(format!("the evaluation as JSON: {e}")))?,
        );
        Ok(self.json.get_or_init(|| tagged).clone())
    }

    /// The page `key` names as `reader` sees it. Its main part (`main`) is rendered the first
    /// time any reader asks for the page, its frame (`frame`, around the main part) the first
    /// time this reader does. Everything a page shows comes from this evaluation, the key or
    /// the reader, so it stays right for as long as the evaluation does: a write makes a new
    /// evaluation, with no pages.
    pub async fn page<F>(
        &self,
        key: PageKey,
        reader: Reader,
        main: impl FnOnce() -> F,
        frame: impl FnOnce(Arc<str>) -> Result<String, WebError>,
    ) -> Result<Bytes, WebError>
    where
        F: Future<Output = Result<String, WebError>>,
    {
        let key = (key, reader);
        if let Some(page) = lock(&self.framed).get(&key) {
            return Ok(page.clone());
        }
        let kept = lock(&self.pages).get(&key.0).cloned();
        let part = match kept {
            Some(part) => part,
            None => {
                let part: Arc<str> = main().await?.into();
                keep(&self.pages, key.0.clone(), part.clone());
                part
            }
        };
        let page = Bytes::from(frame(part)?);
        keep(&self.framed, key, page.clone());
        Ok(page)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Keeps `value` in `map`, which starts afresh when it holds [`PAGES_KEPT`] entries.
fn keep<K: std::hash::Hash + Eq, V>(map: &Mutex<HashMap<K, V>>, key: K, value: V) {
    let mut map = lock(map);
    if map.len() >= PAGES_KEPT {
        map.clear();
    }
    map.insert(key, value);
}

/// What a read asks for: the plan named (none: the default plan), the as-of year (none: the
/// latest approved year) and the visibility.
type Key = (Option<String>, Option<FiscalYear>, Visibility);

/// The evaluations of the current data version, shared by the handlers of one process.
#[derive(Debug, Default)]
pub struct EvaluationCache {
    entries: Mutex<HashMap<Key, (DataVersion, Arc<Evaluated>)>>,
    computed: Arc<AtomicU64>,
    /// The JSON of `GET /api/v1/plans` for a data version (a plan revision changes it).
    plan_list: Mutex<Option<(DataVersion, Tagged)>>,
}

/// A handle on how many evaluations a running application has computed (cache misses), for
/// tests and diagnostics.
#[derive(Debug, Clone)]
pub struct EvaluationCount(Arc<AtomicU64>);

impl EvaluationCount {
    /// Evaluations computed so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl EvaluationCache {
    /// A handle on the count of evaluations computed.
    pub fn count(&self) -> EvaluationCount {
        EvaluationCount(self.computed.clone())
    }

    fn get(&self, key: &Key, version: DataVersion) -> Option<Arc<Evaluated>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(v, _)| *v == version)
            .map(|(_, e)| e.clone())
    }

    /// The plan list's JSON for `version` (when the request read one), from the cache or made
    /// by `make` and kept for the next request of the same version.
    pub(crate) async fn plan_list<F>(
        &self,
        version: Option<DataVersion>,
        make: impl FnOnce() -> F,
    ) -> Result<Tagged, WebError>
    where
        F: std::future::Future<Output = Result<Tagged, WebError>>,
    {
        if let Some(version) = version {
            let kept = self.plan_list.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((v, tagged)) = kept.as_ref()
                && *v == version
            {
                return Ok(tagged.clone());
            }
        }
        let tagged = make().await?;
        if let Some(version) = version {
            *self.plan_list.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((version, tagged.clone()));
        }
        Ok(tagged)
    }

    fn put(&self, key: Key, version: DataVersion, evaluated: Arc<Evaluated>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // Entries of an older version can never be read again.
        entries.retain(|_, (v, _)| *v == version);
        entries.insert(key, (version, evaluated));
    }
}

/// The evaluation `query` asks for with `visibility`, from the cache when the data has not
/// changed since it was computed.
pub(crate) async fn evaluated(
    state: &AppState,
    user: &CurrentUser,
    query: &PlanQuery,
    visibility: Visibility,
) -> Result<Arc<Evaluated>, WebError> {
    let plan = query
        .plan
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let as_of_text = query.as_of.as_deref().filter(|s| !s.trim().is_empty());
    // A year that does not parse is refused by `compute`, with the plan's period in the message.
    let key = match as_of_text.map(str::parse::<FiscalYear>).transpose() {
        Ok(as_of) => Some((plan.map(str::to_owned), as_of, visibility)),
        Err(_) => None,
    };
    let Some(key) = key else {
        return compute(state, query, visibility).await.map(Arc::new);
    };
    // The session's or the token's lookup read the version in the same query.
    let version = match user.data_version {
        Some(version) => version,
        None => state.store.data_version().await?,
    };
    if let Some(hit) = state.cache.get(&key, version) {
        return Ok(hit);
    }
    let evaluated = Arc::new(compute(state, query, visibility).await?);
    state.cache.put(key, version, evaluated.clone());
    Ok(evaluated)
}

/// Loads the plan and the actuals and evaluates them.
async fn compute(
    state: &AppState,
    query: &PlanQuery,
    visibility: Visibility,
) -> Result<Evaluated, WebError> {
    state.cache.computed.fetch_add(1, Ordering::Relaxed);
    let current = query.plan(&state.store).await?;
    let asked = query.as_of(&current)?;
    // A plan's revisions share its id, so the actuals do not depend on the revision in force.
    let actuals = state.store.actuals_as(&current.id, visibility).await?;
    let as_of = match (asked, visibility) {
        (Some(fy), _) => fy,
        (None, Visibility::Approved) => default_as_of(&actuals, &current),
        (None, Visibility::All) => default_as_of(
            &state
                .store
                .actuals_as(&current.id, Visibility::Approved)
                .await?,
            &current,
        ),
    };
    let plan = plan_in_force(&state.store, current, as_of).await?;
    let evaluation = evaluate_plan(&plan, &actuals, as_of).map_err(|e| WebError::BadRequest {
        param: "as_of".to_owned(),
        message: e.to_string(),
    })?;
    let as_of_text = as_of.year().to_string();
    let mut pairs = vec![("plan", plan.id.as_str()), ("as_of", as_of_text.as_str())];
    if visibility == Visibility::All {
        pairs.push(("include_unapproved", "1"));
    }
    let query = encode_query(pairs.into_iter());
    let rounds = state.store.rounds(&plan.id).await?;
    let meetings = state.store.meetings(&plan.id).await?;
    Ok(Evaluated {
        plan,
        as_of,
        visibility,
        actuals,
        evaluation,
        query,
        rounds,
        meetings,
        json: OnceLock::new(),
        pages: Mutex::default(),
        framed: Mutex::default(),
    })
}
