//! Every fixed text of the user interface, in Japanese (first) and English, in one catalogue:
//! each entry is a (ja, en) pair, and the few texts with figures in them are functions below.
//! Plan content (names of projects, indicators, bodies, targets) is shown as the plan writes it.
//!
//! Longer than the ~800 lines a file should have, on purpose: one catalogue for every feature
//! is what keeps one word for each thing and one unit for each figure on every page.

use pdca_core::access::{ActualState, Role};
use pdca_core::evaluation::Status;
use pdca_core::plan::IndicatorKind;
use pdca_core::{FiscalYear, fiscal_year::wareki_date};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// 日本語 (the default).
    #[default]
    Ja,
    /// English.
    En,
}

impl Lang {
    /// `ja` or `en`, as in `?lang=` and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The language named by `code` (`ja`, `en`), if any.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }

    /// The catalogue in this language.
    pub fn text(self) -> &'static Text {
        match self {
            Lang::Ja => &JA,
            Lang::En => &EN,
        }
    }
}

/// Declares the catalogue: one field per text, and the Japanese and English instances.
macro_rules! catalogue {
    ($($name:ident: ($ja:literal, $en:literal),)*) => {
        /// Every fixed text of the user interface in one language.
        #[derive(Debug)]
        pub struct Text {
            $(
                #[doc = $ja]
                pub $name: &'static str,
            )*
        }

        /// The Japanese texts.
        pub static JA: Text = Text { $($name: $ja,)* };

        /// The English texts.
        pub static EN: Text = Text { $($name: $en,)* };
    };
}

catalogue! {
    app_name: ("医療分野研究開発推進計画 進捗管理", "Medical R&D Plan Follow-up"),
    skip_to_content: ("本文へ移動", "Skip to content"),
    nav_dashboard: ("ダッシュボード", "Dashboard"),
    nav_main: ("メインメニュー", "Main menu"),
    switch_language: ("English", "日本語"),
    switch_language_code: ("en", "ja"),
    sign_out: ("サインアウト", "Sign out"),
    change_password: ("パスワード変更", "Change password"),

    sign_in_title: ("サインイン", "Sign in"),
    user_name: ("ユーザー名", "User name"),
    password: ("パスワード", "Password"),
    sign_in_button: ("サインイン", "Sign in"),
    sign_in_failed: ("ユーザー名またはパスワードが正しくありません。", "The user name or password is incorrect."),
    sign_in_rate_limited: (
        "サインインの失敗が続いたため、15分間は受け付けません。時間をおいてからやり直してください。",
        "Too many failed sign-ins: sign-in is refused for 15 minutes. Please wait and try again."
    ),
    sign_in_form_expired: (
        "フォームの有効期限が切れました。もう一度入力してください。",
        "The form expired. Please enter your details again."
    ),

    password_title: ("パスワードの変更", "Change password"),
    password_must_change: (
        "続けるには、発行されたパスワードを自分のパスワードに変更してください。",
        "To continue, replace the password you were given with one of your own."
    ),
    current_password: ("現在のパスワード", "Current password"),
    new_password: ("新しいパスワード", "New password"),
    confirm_password: ("新しいパスワード（確認）", "New password (again)"),
    password_rules: (
        "12文字以上で、推測されにくいもの（いくつかの語を組み合わせるなど）にしてください。ユーザー名や現在のパスワードと同じもの、同じ文字の繰り返しは使えません。",
        "At least 12 characters and hard to guess (several words together, for example); not the user name, not the current password, not one character repeated."
    ),
    password_change_button: ("変更する", "Change"),
    password_wrong_current: ("現在のパスワードが正しくありません。", "The current password is incorrect."),
    password_too_short: ("新しいパスワードは12文字以上にしてください。", "The new password must have at least 12 characters."),
    password_mismatch: ("確認のパスワードが一致しません。", "The two new passwords differ."),
    password_blank: (
        "新しいパスワードが空です。空白だけのパスワードは使えません。",
        "The new password is empty; a password of spaces only is not accepted."
    ),
    password_one_character: (
        "同じ文字を繰り返しただけのパスワードは使えません。",
        "A password that repeats one character is not accepted."
    ),
    password_same_as_name: (
        "ユーザー名と同じパスワードは使えません。",
        "The password must not be the user name."
    ),
    password_weak: (
        "推測されやすいパスワードです。よく使われる語や名前、キーボードの並び、連続した文字や数字、日付、ユーザー名を含めず、いくつかの語を組み合わせるなどして長くしてください。",
        "This password is easy to guess. Avoid common words and names, keyboard patterns, sequences, dates and your user name; make it longer, for example with several words together."
    ),
    password_not_new: (
        "新しいパスワードは、現在のパスワードと異なるものにしてください。",
        "The new password must differ from the current password."
    ),

    dashboard_title: ("進捗状況", "Progress"),
    as_of_label: ("評価年度", "As of fiscal year"),
    include_unapproved: ("未承認の値を含める", "Include unapproved values"),
    show_button: ("表示", "Show"),
    unapproved_notice: (
        "未承認の値を含めた試算です。公式の評価ではありません。",
        "This includes values not yet approved; it is not the official evaluation."
    ),
    attention_heading: ("要注意の指標", "Indicators needing attention"),
    attention_explained: (
        "評価が B（進捗が不十分）か、達成見込みが「低い」（期間末までに目標に達する確率が50%未満）の指標です。",
        "Indicators rated B (insufficient progress) or whose outlook is low (less than a 50% chance of reaching the target by the end of the period)."
    ),
    attention_none: ("要注意の指標はありません。", "No indicator needs attention."),
    projects_heading: ("統合プロジェクト", "Integrated projects"),
    open_project: ("指標の一覧", "All indicators"),
    legend_heading: ("評価の区分", "Ratings"),

    col_indicator: ("指標", "Indicator"),
    col_project: ("プロジェクト", "Project"),
    col_status: ("評価", "Rating"),
    col_p_attain: ("達成見込み", "Outlook"),
    col_target: ("目標", "Target"),
    col_cumulative: ("累計", "Cumulative"),
    col_progress: ("進捗率", "Progress"),
    col_expected: ("期待値", "Expected"),
    col_pace: ("ペース", "Pace"),
    col_projected_end: ("期間末の見込み", "Projected at the end"),
    col_value: ("値", "Value"),
    col_latest_narrative: ("最新の状況", "Latest status"),
    col_fiscal_year: ("年度", "Fiscal year"),
    col_total: ("合計", "Total"),
    col_when: ("日時", "When"),
    col_who: ("記録者", "Who"),
    col_body: ("報告機関", "Reporting body"),
    col_change: ("変更（前 → 後）", "Change (old → new)"),
    col_note: ("備考", "Note"),
    col_state: ("状態", "State"),
    no_report: ("未報告", "Not reported"),
    none_mark: ("—", "—"),

    outputs_heading: ("アウトプット", "Outputs"),
    outcomes_heading: ("アウトカム", "Outcomes"),
    management_heading: ("その他管理指標", "Other management indicators"),
    milestone_done: ("済", "Reached"),
    milestone_pending: ("未", "Not yet"),
    id_label: ("ID", "ID"),
    kind_label: ("区分", "Kind"),
    group_label: ("指標の分類", "Group"),
    parent_label: ("親指標", "Parent indicator"),
    indicator_note: ("注記", "Note"),
    review_comment: ("差戻しの理由", "Reason for return"),

    figures_heading: ("進捗状況", "Progress"),
    p_attain_heading: ("達成見込み", "Outlook"),
    p_attain_not_applicable: (
        "この指標には、期間末までに目標に達する確率を計算しません。",
        "No probability of reaching the target is computed for this indicator."
    ),
    warnings_heading: ("注意事項", "Notes"),
    yearly_heading: ("年度別・報告機関別の実績", "Actuals by year and reporting body"),
    chart_heading: ("累計実績の推移", "Cumulative actual over the period"),
    chart_yearly_heading: ("実績の推移", "Actual over the period"),
    chart_actual: ("実績", "Actual"),
    chart_expected: ("期待値", "Expected"),
    chart_target: ("目標", "Target"),
    chart_projected: ("期間末の見込み", "Projected end"),
    chart_none: ("図に示せる実績はまだありません。", "There are no actuals to chart yet."),
    history_heading: ("修正履歴", "Revision history"),
    history_none: ("記録はありません。", "Nothing has been recorded."),
    glossary_heading: ("用語", "Glossary"),
    back_to_project: ("プロジェクトへ戻る", "Back to the project"),

    status_achieved: ("達成", "Achieved"),
    status_on_track: ("順調に進捗している", "On track"),
    status_insufficient: ("進捗が不十分", "Insufficient progress"),
    status_not_evaluable: ("現時点で評価が困難", "Cannot be evaluated yet"),
    status_not_rated: ("評価対象外", "Not rated"),
    status_achieved_short: ("達成", "Achieved"),
    status_not_rated_short: ("ー", "—"),

    error_heading: ("エラー", "Error"),
    error_not_found: ("お探しのページや項目は見つかりませんでした。", "The page or item was not found."),
    error_forbidden: ("この操作を行う権限がありません。", "You are not allowed to do this."),
    error_bad_request: ("リクエストの内容を読み取れませんでした。", "The request could not be understood."),
    error_csrf: (
        "フォームを確認できませんでした。ページを読み込み直してから、もう一度送信してください。",
        "The form could not be verified. Reload the page and submit it again."
    ),
    error_rate_limited: (
        "短時間に多くのリクエストがありました。時間をおいてからやり直してください。",
        "Too many requests. Please wait and try again."
    ),
    error_conflict: ("他の人が先に変更しました。", "Someone else changed this first."),
    error_internal: (
        "サーバーの内部でエラーが起きました。時間をおいてやり直し、続くときは事務局に連絡してください。",
        "Something went wrong on the server. Please try again later, and tell the secretariat if it persists."
    ),
    error_detail: ("詳細", "Details"),
    back_to_dashboard: ("ダッシュボードへ戻る", "Back to the dashboard"),

    nav_entry: ("実績の入力", "Enter actuals"),
    nav_approval: ("承認", "Approval"),
    nav_users: ("アカウント管理", "Accounts"),
    nav_audit: ("監査ログ", "Audit log"),
    nav_tokens: ("API トークン", "API tokens"),
    nav_bodies: ("報告機関の割当て", "Reporting bodies"),
    nav_plans: ("計画の登録", "Plans"),

    bodies_title: ("報告機関の割当て", "Reporting bodies and assignments"),
    bodies_plan: ("計画", "Plan"),
    bodies_list_heading: ("報告機関", "Reporting bodies"),
    bodies_id: ("ID", "ID"),
    bodies_name: ("名称", "Name"),
    bodies_short_name: ("略称", "Short name"),
    bodies_assignments_heading: ("指標ごとの報告機関", "Reporting bodies of each indicator"),
    bodies_indicator: ("指標", "Indicator"),
    bodies_assigned: ("報告機関（分担）", "Bodies (share)"),
    bodies_share: ("分担（任意、0 以上。例: 2、２）", "Share (optional, 0 or more, e.g. 2)"),
    bodies_unassign: ("割当てを外す", "Remove"),
    bodies_assign_heading: ("報告機関の割当て・分担の変更", "Assign a body or change its share"),
    bodies_body: ("報告機関", "Reporting body"),
    bodies_assign: ("割り当てる", "Assign"),
    bodies_done_assigned: ("割当てを保存しました。", "The assignment was saved."),
    bodies_done_unassigned: ("割当てを外しました。", "The assignment was removed."),
    bodies_bad_share: (
        "分担は 0 以上の数値で入力してください（例: 2、２、0.5）。",
        "Enter the share as a number of 0 or more (e.g. 2, ２, 0.5)."
    ),

    plans_title: ("計画の登録", "Plans"),
    plans_id: ("計画 ID", "Plan id"),
    plans_name: ("計画名", "Plan name"),
    plans_revisions: ("版", "Revisions"),
    plans_revision: ("版", "Revision"),
    plans_effective_from: ("適用開始", "Effective from"),
    plans_none: ("計画はまだありません。", "There are no plans yet."),
    plans_import_heading: ("計画ファイルの取込み", "Import a plan file"),
    plans_import_explained: (
        "計画ファイル（TOML）を pdca plan validate と同じ規則で確認し、誤りがなければ新しい計画または新しい版として保存します。",
        "The plan file (TOML) is checked with the same rules as pdca plan validate and, without errors, saved as a new plan or a new revision."
    ),
    plans_file: ("計画ファイル（TOML）", "Plan file (TOML)"),
    plans_import: ("取り込む", "Import"),
    plans_no_file: ("計画ファイルを選んでください。", "Choose a plan file."),
    plans_not_utf8: ("計画ファイルは UTF-8 で保存してください。", "Save the plan file as UTF-8."),
    plans_file_errors: (
        "計画ファイルに誤りがあります。何も保存していません:",
        "The plan file has errors; nothing was saved:"
    ),
    plans_changes_link: ("前の版との違い", "Changes from the previous revision"),
    plan_changes_title: ("計画の版の比較", "Comparing revisions of the plan"),
    plan_changes_choose: ("比べる版", "Revisions to compare"),
    plan_changes_from: ("前の版", "Earlier revision"),
    plan_changes_to: ("後の版", "Later revision"),
    plan_changes_show: ("比べる", "Compare"),
    plan_changes_none: ("変更はありません。", "There are no changes."),
    plan_changes_plan_heading: ("計画全体の変更", "Changes to the plan as a whole"),
    plan_changes_indicators_heading: ("指標の変更", "Changes to the indicators"),
    plan_changes_item: ("項目", "Item"),
    plan_changes_change: ("変更の種類", "Change"),
    plan_changes_indicator_id: ("指標 ID", "Indicator id"),
    plan_changes_indicator: ("指標名", "Indicator"),
    plan_changes_before: ("変更前", "Before"),
    plan_changes_after: ("変更後", "After"),
    plan_changes_added: ("追加", "Added"),
    plan_changes_removed: ("削除", "Removed"),
    plan_changes_renamed: ("名称変更", "Renamed"),
    plan_changes_target: ("目標変更", "Target changed"),
    plan_changes_other: ("その他の変更", "Other change"),
    plan_changes_name: ("計画名", "Plan name"),
    plan_changes_period: ("計画期間", "Period"),
    plan_changes_effective_from: ("適用開始年度", "Effective from"),
    plan_changes_project_added: ("プロジェクトの追加", "Project added"),
    plan_changes_project_removed: ("プロジェクトの削除", "Project removed"),
    plan_changes_project_renamed: ("プロジェクトの名称変更", "Project renamed"),
    plans_draft_heading: ("計画の本文から作成", "Create from the plan's text"),
    plans_draft_explained: (
        "決定された計画の成果目標の一覧（別紙）の本文を貼り付けるか、テキストや Word 文書を選ぶと、指標と目標を読み取って計画を作成します。保存する前に、読み取った結果と前の版との違いを確かめられます。",
        "Paste the text of the plan's KPI annex, or choose a text or Word file: pdca reads the indicators and targets into a plan. Before anything is saved you see what was read and how it differs from the previous revision."
    ),
    plans_draft_link: ("計画の本文から作成する", "Create a plan from its text"),
    draft_title: ("計画の本文から作成", "Create a plan from its text"),
    draft_explained: (
        "計画の成果目標の一覧（別紙）の本文を貼り付けるか、ファイルを選んで「読み取って確認する」を押してください。まだ何も保存しません。",
        "Paste the text of the plan's KPI annex, or choose a file, and press “Read and check”. Nothing is saved yet."
    ),
    draft_mode: ("登録のしかた", "Save as"),
    draft_mode_new: ("新しい計画", "A new plan"),
    draft_mode_revision: ("登録済みの計画の改定（一部変更）", "A revision of a plan in pdca"),
    draft_id_hint: (
        "半角英数字と - _ . で64文字まで（例: medical-rd-3）。後から変えられません。",
        "ASCII letters, digits, - _ and . (at most 64), e.g. medical-rd-3. It cannot be changed later."
    ),
    draft_start_fy: ("計画期間の最初の年度", "First fiscal year"),
    draft_end_fy: ("計画期間の最後の年度", "Last fiscal year"),
    draft_year_hint: ("例: 2025、令和7年度", "e.g. 2025 or 令和7年度"),
    draft_base_plan: ("改定する計画", "Plan to revise"),
    draft_effective_from: ("適用開始年度", "Effective from (fiscal year)"),
    draft_effective_hint: (
        "この版で評価する最初の年度（例: 2026、令和8年度）。",
        "The first fiscal year evaluated with this revision, e.g. 2026."
    ),
    draft_decided_on: ("決定日（任意）", "Decided on (optional)"),
    draft_decided_on_hint: ("例: 2026-03-31", "e.g. 2026-03-31"),
    draft_revision_note: ("変更内容（任意）", "What changed (optional)"),
    draft_source: ("計画の本文", "The plan's text"),
    draft_source_hint: (
        "PDF や Word からコピーした成果目標の一覧をそのまま貼り付けてください。読み取れなかった行は、ここで直してから読み取り直せます。",
        "Paste the KPI annex as copied from the PDF or Word file. Lines that could not be read can be corrected here and read again."
    ),
    draft_file: ("ファイルから読み込む（任意）", "Read from a file (optional)"),
    draft_file_hint: (
        "テキスト（.txt）か Word 文書（.docx）。選ぶと上の本文と入れ替わります。",
        "A text file (.txt) or Word document (.docx); it replaces the text above."
    ),
    draft_indicators_heading: ("読み取った指標", "Indicators read"),
    draft_review_intro: (
        "次の行は確認が必要です。本文を直すか、下の表で指標名・目標を直して読み取り直してください。",
        "These lines need a person: correct the text, or the name or target in the table below, and read again."
    ),
    draft_line: ("行", "Line"),
    draft_indicators_explained: (
        "指標名と目標は、この表で直せます。目標は本文と同じ書き方で入力します（例: 25件、75%、2件以上、130件/年、2023年度比で2倍、2026年度までに着手。目標がない指標は空欄）。",
        "Names and targets can be corrected in this table. Write targets as the plan does (e.g. 25件, 75%, 2件以上, 130件/年, 2023年度比で2倍, 2026年度までに着手; empty for an indicator without a target)."
    ),
    draft_indicator_id: ("指標 ID", "Indicator id"),
    draft_where: ("プロジェクト・指標群", "Project and group"),
    draft_indicator_name: ("指標名", "Indicator name"),
    draft_target: ("目標", "Target"),
    draft_needs_review: ("要確認", "Check"),
    draft_plan_errors: (
        "作成した計画に誤りがあります（pdca plan validate と同じ確認）:",
        "The drafted plan has errors (the checks of pdca plan validate):"
    ),
    draft_changes_heading: ("登録済みの版との違い", "Changes from the revision in force"),
    draft_lines_heading: ("本文の各行の読み取り結果", "What each line became"),
    draft_lines_explained: (
        "本文のすべての行と、それを何として読み取ったか（使わなかった行はその理由）です。",
        "Every line of the text and what it became (for lines not used, why)."
    ),
    draft_text: ("本文", "Text"),
    draft_became: ("読み取り結果", "Read as"),
    draft_preview: ("読み取って確認する", "Read and check"),
    draft_preview_again: ("直した内容で読み取り直す", "Read again with the corrections"),
    draft_save: ("この内容で登録する", "Save this plan"),
    draft_not_ready: (
        "要確認の行や計画の誤りがなくなると登録できます。",
        "It can be saved once no line needs checking and the plan has no errors."
    ),
    draft_no_text: (
        "計画の本文を貼り付けるか、ファイルを選んでください。",
        "Paste the plan's text or choose a file."
    ),
    draft_year_required: ("年度を入力してください（例: 2025）。", "Enter a fiscal year, e.g. 2025."),
    draft_id_required: ("計画 ID を入力してください。", "Enter the plan id."),
    draft_name_required: ("計画名を入力してください。", "Enter the plan's name."),
    draft_end_before_start: (
        "最後の年度は最初の年度と同じかそれより後にしてください。",
        "The last fiscal year cannot come before the first."
    ),
    draft_choose_plan: ("改定する計画を選んでください。", "Choose the plan to revise."),
    draft_corrections_dropped: (
        "本文が変わり、次の指標は表で直した内容と別の行を指すようになったため、その修正を取り消しました。確かめて、必要ならもう一度直してください（まだ何も保存していません）:",
        "The text changed, so these indicators no longer are the ones corrected in the table: their corrections were dropped. Check them and correct again if needed (nothing was saved):"
    ),
    draft_management_mark: ("（その他管理指標）", " (management)"),

    audit_title: ("監査ログ", "Audit log"),
    audit_filters: ("絞り込み", "Filters"),
    audit_action: ("操作の種類", "Kind of change"),
    audit_action_any: ("すべて", "All"),
    audit_kind_plan: ("計画の登録・改定", "Plans"),
    audit_kind_assignment: ("報告機関の割当て", "Reporting assignments"),
    audit_kind_user: ("アカウント", "Accounts"),
    audit_kind_token: ("API トークン", "API tokens"),
    audit_kind_actual: ("実績値の記録・承認", "Actual values and approval"),
    audit_kind_actuals: ("実績値の一括記録", "Actuals recorded in bulk"),
    audit_actor: ("操作者", "Actor"),
    audit_subject: ("対象（部分一致）", "Subject (contains)"),
    audit_apply: ("絞り込む", "Filter"),
    audit_none: ("該当する記録はありません。", "No entries match."),
    audit_read_only: (
        "監査ログは閲覧専用で、アプリケーションから編集・削除はできません。",
        "The audit log is read-only: it cannot be edited or deleted from the application."
    ),

    tokens_title: ("API トークン", "API tokens"),
    tokens_intro: (
        "API トークンは、あなたと同じ役割で JSON API を利用するためのものです（Authorization: Bearer …）。",
        "An API token lets a program use the JSON API with your role (Authorization: Bearer …)."
    ),
    tokens_none: ("API トークンはまだありません。", "You have no API tokens yet."),
    token_name: ("トークンの名前", "Token name"),
    token_create: ("トークンを作成", "Create token"),
    token_created: ("作成日時", "Created"),
    token_last_used: ("最終使用（1 分単位）", "Last used (to the minute)"),
    token_revoked: ("失効", "Revoked"),
    token_active: ("有効", "Active"),
    token_revoke: ("失効させる", "Revoke"),
    token_secret_heading: ("新しいトークン", "Your new token"),
    token_secret_once: (
        "このトークンは今回しか表示されません。いま安全な場所に控えてください。",
        "This token will not be shown again. Copy it to a safe place now."
    ),
    token_done_revoked: ("トークンを失効させました。", "The token was revoked."),
    token_name_required: ("トークンの名前を入力してください。", "Enter a name for the token."),

    users_title: ("アカウント管理", "Accounts"),
    users_create_heading: ("アカウントの作成", "Create an account"),
    user_role: ("役割", "Role"),
    user_body: ("報告機関（役割が報告機関のとき必須）", "Reporting body (required for the reporting body role)"),
    user_body_none: ("（なし）", "(none)"),
    user_create: ("作成する", "Create"),
    user_state: ("状態", "State"),
    user_enabled: ("有効", "Active"),
    user_disabled: ("無効", "Disabled"),
    user_must_change: ("初回パスワード変更待ち", "Must change password"),
    user_actions: ("操作", "Actions"),
    user_disable: ("無効にする", "Disable"),
    user_enable: ("有効にする", "Enable"),
    user_reset_password: ("パスワードを再発行", "Reset password"),
    user_one_time_password: ("ワンタイムパスワード", "One-time password"),
    user_password_once: (
        "このパスワードは今回しか表示されません。本人に安全な方法で伝えてください。初回サインイン時に変更が必要です。",
        "This password will not be shown again. Give it to the user safely; it must be changed at the first sign-in."
    ),
    user_done_disabled: ("アカウントを無効にしました。", "The account was disabled."),
    user_done_enabled: ("アカウントを有効にしました。", "The account was enabled."),
    user_not_self: ("自分自身のアカウントは無効にできません。", "You cannot disable your own account."),
    user_bad_role: ("役割を選んでください。", "Choose a role."),
    entry_title: ("実績の入力", "Enter actuals"),
    entry_explained: (
        "「一時保存」は入力した値を保存します（まだ提出しません）。すべて入力したら「保存して提出」を押してください。入力した値を保存してから、事務局に提出します。数値は ２５、1,234、25件 のようにも書けます。",
        "\"Save\" keeps the values typed without submitting them. When everything is entered, press \"Save and submit\": the values typed are saved, then submitted to the secretariat. Numbers may be written as ２５, 1,234 or 25件."
    ),
    entry_value: ("実績", "Value"),
    entry_numerator: ("分子", "Numerator"),
    entry_denominator: ("分母", "Denominator"),
    entry_narrative: ("状況（記述）", "Status (narrative)"),
    entry_source: ("出典", "Source"),
    entry_current: ("現在の値", "Current value"),
    entry_saved_by: ("保存した人", "Saved by"),
    entry_saved_here: ("保存しました", "Saved"),
    entry_save_button: ("一時保存", "Save"),
    entry_submit_button: ("保存して提出", "Save and submit"),
    entry_saved: ("入力した値を保存しました。", "The values typed were saved."),
    entry_nothing_to_submit: ("提出する値（一時保存・差戻し）はありません。", "There are no saved or returned values to submit."),
    entry_has_conflicts: (
        "他の人が先に保存した値があります。その値は保存しておらず、何も提出していません。入力欄の上に表示した現在の値を確認してください。",
        "Someone else saved some values first: those were not saved, and nothing was submitted. Check the current values shown above their fields."
    ),
    entry_conflict: ("他の人が先に保存しました:", "Someone else saved this first:"),
    entry_read_only: (
        "この値は提出済みか承認済みのため、変更できません。",
        "This value has been submitted or approved and cannot be changed."
    ),
    upload_title: ("ファイルからの取り込み", "Import from a file"),
    upload_heading: ("ファイル（CSV・XLSX）から取り込む", "Import from a file (CSV or XLSX)"),
    upload_explained: (
        "列見出しは 指標ID・年度・実績・分子・分母・報告機関・備考・出典（英語名も可）。CSV は UTF-8 または Shift_JIS、20MB まで。取り込む前に内容を確認できます。",
        "Column headers: indicator_id, fiscal_year, value, numerator, denominator, body, note, source (Japanese names work too). CSV in UTF-8 or Shift_JIS, up to 20 MB. You can check the contents before they are imported."
    ),
    upload_file_label: ("ファイル（.csv / .xlsx）", "File (.csv / .xlsx)"),
    upload_check_button: ("内容を確認する", "Check the file"),
    upload_errors: (
        "ファイルにエラーがあるため、何も取り込んでいません。次のエラーを直してから、もう一度アップロードしてください。",
        "The file has errors, so nothing was imported. Fix the errors below and upload it again."
    ),
    upload_preview: (
        "まだ取り込んでいません。次の内容でよければ「取り込む」を押してください。すべて一時保存されます（まだ提出しません）。",
        "Nothing has been imported yet. If the rows below are right, press Import; all of them are saved as drafts."
    ),
    upload_apply_button: ("取り込む", "Import"),
    upload_back: ("入力画面に戻る", "Back to data entry"),
    upload_col_file: ("ファイル", "File"),
    upload_col_row: ("行", "Row"),
    upload_col_column: ("列", "Column"),
    upload_col_text: ("値", "Text"),
    upload_col_message: ("エラー", "Error"),
    upload_col_indicator: ("指標", "Indicator"),
    upload_col_old: ("現在の値", "Current value"),
    upload_col_new: ("新しい値", "New value"),
    upload_none: ("（未報告）", "(not reported)"),
    upload_no_rows: ("取り込む行がありません。", "The file has no rows to import."),
    upload_changed_since_preview: (
        "確認画面を表示した後に、次の値が変更されました。何も取り込んでいません。最新の値を確認し、必要ならファイルを直して、もう一度取り込んでください。",
        "The values below were changed after the preview was shown. Nothing was imported. Check the current values, correct the file if needed, and import it again."
    ),
    upload_not_editable: (
        "この値は提出済み・承認済み・確定済みのため、変更できません。",
        "This value has been submitted, approved or locked and cannot be changed."
    ),
    upload_too_large: (
        "ファイルが大きすぎます。20MB までのファイルを選んでください。",
        "The file is too large. Choose a file of at most 20 MB."
    ),
    upload_unreadable: (
        "アップロードされたファイルを読めませんでした。.csv か .xlsx のファイルを選んで、もう一度送信してください。",
        "The uploaded file could not be read. Choose a .csv or .xlsx file and send it again."
    ),
    upload_tampered: (
        "確認した内容と送信された内容が一致しません。ファイルをもう一度アップロードしてください。",
        "What was sent does not match what was checked. Upload the file again."
    ),
    approval_title: ("提出された実績の承認", "Approve submitted actuals"),
    approval_none: ("承認を待つ実績はありません。", "No values are awaiting approval."),
    approval_decision: ("判断", "Decision"),
    approval_comment: ("差戻しの理由", "Reason for return"),
    approval_approve: ("承認", "Approve"),
    approval_return: ("差戻し", "Return"),
    approval_approve_all: ("表示中のすべてを承認", "Approve all shown"),
    approval_done_approved: ("承認しました。", "Approved."),
    approval_done_returned: ("差し戻しました。", "Returned."),
    approval_comment_required: (
        "差し戻すときは理由を書いてください。",
        "Please write the reason for returning the value."
    ),
    approval_nothing_chosen: ("承認する値が選ばれていません。", "No value was chosen."),
    approval_lock_heading: ("年度の確定", "Locking a fiscal year"),
    approval_lock_explain: (
        "確定した値は、以後編集できなくなります。",
        "Locked values can no longer be edited."
    ),
    approval_lock_button: ("{fy}の値を確定する", "Lock the values of {fy}"),
    approval_lock_choose_year: (
        "上の「年度」で年度を選んで「表示」を押すと、その年度の値を確定できます。",
        "Choose a fiscal year above and press Show to lock its values."
    ),
    approval_done_locked: ("{n}件を確定しました。", "Locked {n} values."),
    nav_rounds: ("フォローアップ", "Follow-up"),
    nav_tasks: ("作業の一覧", "Your work"),
    rounds_title: ("フォローアップ", "Follow-up rounds"),
    rounds_none: ("まだフォローアップはありません。", "No follow-up round yet."),
    rounds_open_heading: ("フォローアップを開始する", "Open a follow-up round"),
    rounds_open_fy: ("対象年度（実績の年度）", "Result fiscal year"),
    rounds_open_deadline: ("報告期限（空欄なら翌年度の4月30日）", "Reporting deadline (default: April 30 of the next year)"),
    rounds_open_button: ("開始する", "Open"),
    rounds_calendar: ("会合と報告期限のカレンダー（iCalendar）", "Meetings and deadlines (iCalendar feed)"),
    rounds_matrix_heading: ("委員会の評価の推移", "Committee ratings over the plan period"),
    round_col_fy: ("対象年度", "Result year"),
    round_col_state: ("状態", "State"),
    round_col_deadline: ("報告期限", "Deadline"),
    round_col_counts: ("評価", "Ratings"),
    round_state: ("状態", "State"),
    round_deadline: ("報告期限", "Reporting deadline"),
    round_advance: ("次の段階に進める", "Move to the next stage"),
    round_close: ("フォローアップを終了する", "Close the round"),
    round_reopen: ("再開する", "Reopen"),
    round_reopen_reason: ("再開の理由", "Reason for reopening"),
    round_missing_heading: ("終了までに必要なこと", "Still missing before closing"),
    round_missing_items: ("件", " items"),
    round_complete: ("終了の条件を満たしています。", "Everything needed for closing is there."),
    round_ratings_heading: ("① 進捗状況と委員会の評価", "① Progress and the committee's ratings"),
    round_col_indicator: ("指標", "Indicator"),
    round_col_proposal: ("自動判定", "Automatic judgement"),
    round_col_pace: ("ペース", "Pace"),
    round_col_rating: ("評価", "Rating"),
    round_col_reason: ("理由", "Reason"),
    round_col_issue: ("課題", "Issue"),
    round_col_solution: ("解決策", "Solution"),
    round_rate_button: ("評価を記録", "Record the rating"),
    round_item_text: ("本文", "Text"),
    round_item_title: ("表題", "Title"),
    round_item_points: ("留意点", "Points to note"),
    round_item_body: ("報告機関", "Reporting body"),
    round_item_links: ("関連する統合プロジェクト・指標・項目（複数選択できます。Ctrl キーを押しながら選びます）", "Related projects, indicators and items (several may be chosen: hold Ctrl while choosing)"),
    round_item_budget: ("予算への反映", "Budget reflection"),
    round_item_add: ("追加", "Add"),
    round_item_by: ("記入", "By"),
    round_item_reflected: ("反映済み", "Reflected"),
    round_item_mark_reflected: ("反映済みにする", "Mark as reflected"),
    round_previous_heading: ("前年度の資源配分方針の対応状況", "Status of last year's resource allocation policy"),
    round_movement: ("指標の動き（評価・ペース 前年度 → 今年度）", "Indicator movement (rating and pace, last year → this year)"),
    round_meetings_heading: ("会合", "Meetings"),
    round_done: ("記録しました。", "Recorded."),
    trace_title: ("指標の追跡", "Tracing an indicator"),
    trace_explain: ("指標 → 評価 → 課題と解決策 → 重点的に議論・提案すべき項目 → 資源配分方針 → 翌年度の結果", "Indicator → ratings → issues and solutions → priority items → policy clauses → next year's results"),
    trace_next_year: ("翌年度の結果", "Next year's result"),
    tasks_title: ("作業の一覧", "Your work"),
    schedule_heading: ("日程（報告期限と会合）", "Schedule (deadlines and meetings)"),
    overdue_heading: ("期限を過ぎた未報告", "Reports overdue"),
    meeting_number: ("回（第35回なら 35）", "Number (35 for the 35th meeting)"),
    meeting_kind: ("種類", "Kind"),
    meeting_date: ("開催日", "Date"),
    meeting_agenda: ("議事（1行に1件。空欄ならフォローアップの内容から作成）", "Agenda (one item per line; drafted from the round when blank)"),
    meeting_materials: ("資料（1行に1件、資料1:議事次第 のように）", "Materials (one per line, e.g. 資料1:議事次第)"),
    meeting_add: ("会合を登録", "Add the meeting"),
    meeting_of_opinion: ("会合", "Meeting"),
    item_plan_revision: ("見直し後の計画の版（決まっていれば）", "Plan revision it led to (if any)"),
    meeting_minutes: ("議事録", "Minutes"),
    meeting_minutes_save: ("議事録を保存", "Save the minutes"),
    meeting_minutes_empty: ("議事録が空です。", "The minutes are empty."),
    material_label: ("資料番号", "Material number"),
    material_title: ("題名（新しい資料のとき）", "Title (for a new material)"),
    material_file: ("ファイル", "File"),
    material_attach: ("資料のファイルを添付", "Attach the material's file"),
    round_report: ("フォローアップ報告のダウンロード", "Download the follow-up report"),
    entry_template: ("報告様式（Excel）をダウンロード", "Download the collection workbook (Excel)"),
    open_data_title: ("オープンデータ", "Open data"),
    open_data_explained: ("フォローアップが終了した年度の確定済みの実績と、専門調査会の評価（課題・解決策を含む）、承認済みで公開可の成果（指標・年度・成果名・実施機関のみ）を公開しています。IDは計画の指標IDで、年度をまたいで変わりません。", "The locked actuals of the years whose follow-up has closed, the committee's ratings (with issues and solutions), and the approved public achievements (indicator, year, title and institution only). Ids are the plan's indicator ids and do not change between years."),
    open_data_schema: ("列の定義: docs/open-data.md、スキーマ版", "Columns: docs/open-data.md, schema version"),
    tasks_none: ("今のところ、あなたが行う作業はありません。", "You have nothing to do right now."),
    // -- frame: menu, confirmation, help (add frame texts here) --
    confirm_back: ("戻る", "Go back"),
    menu_button: ("メニュー", "Menu"),
    nav_help_terms: ("用語の説明", "Terms explained"),
    help_terms_title: ("用語の説明", "Terms explained"),
    help_terms_intro: (
        "各ページに示す数値と評価の意味です。数値の見出しからこのページの説明へ移動できます。",
        "What each figure and rating on the pages means. A figure's label links to its explanation here."
    ),
    help_terms_contents: ("目次", "Contents"),
    help_formula: ("計算方法", "How it is computed"),
    help_progress_name: ("進捗率", "Progress"),
    help_progress_text: (
        "計画期間（5年間）の目標に対して、評価年度までの実績の累計がどこまで達したかを百分率で示します。例: 目標 100件に対して累計 40件なら 40%。基準値からの増減を目標とする指標では、基準値から目標値までのうち進んだ割合です。",
        "How far the cumulative actual up to the as-of year has come towards the target for the plan's five years, as a percentage. E.g. 40 against a target of 100 is 40%. For an indicator whose target is a change from a baseline, it is the share of the way from the baseline to the target."
    ),
    help_progress_formula: ("累計実績 ÷ 5年間の目標値 × 100（%）", "cumulative actual ÷ five-year target × 100 (%)"),
    help_cumulative_name: ("累計", "Cumulative"),
    help_cumulative_text: (
        "計画期間の初年度から評価年度までに報告された実績の合計です。指標の単位で示します。",
        "The sum of the actuals reported from the plan's first year up to the as-of year, in the indicator's unit."
    ),
    help_expected_name: ("期待値", "Expected"),
    help_expected_text: (
        "毎年同じだけ進んだとしたとき、評価年度までに達しているはずの値です。百分率ではなく指標の単位（件など）で示します。例: 5年間の目標 100件で2年が経過していれば 40件。年度ごとの見込みを計画が定める指標ではその合計、年間目標のある指標では年間目標 × 経過年数です。",
        "The value expected by now if progress were the same every year, in the indicator's unit (not a percentage). E.g. 40 when the five-year target is 100 and two years have passed. Where the plan sets a value for each year, it is their sum; with a yearly target, the yearly target × the years passed."
    ),
    help_expected_formula: ("5年間の目標値 × 経過年数 ÷ 5", "five-year target × years passed ÷ 5"),
    help_pace_name: ("ペース", "Pace"),
    help_pace_text: (
        "実績が期待値に対してどれだけ進んでいるかを百分率で示します。100% 以上なら計画どおりかそれより速く、100% 未満なら遅れています。",
        "How the actual compares with the expected value, as a percentage: 100% or more is on schedule or ahead; less than 100% is behind."
    ),
    help_pace_formula: ("累計実績 ÷ 期待値 × 100（%）", "cumulative actual ÷ expected × 100 (%)"),
    help_projected_end_name: ("期間末の見込み", "Projected at the end"),
    help_projected_end_text: (
        "これまでの年平均のペースが計画期間の最終年度まで続いたときの累計です。指標の単位で示します。",
        "The cumulative actual at the plan's last year if the average yearly pace so far continued, in the indicator's unit."
    ),
    help_outlook_name: ("達成見込み", "Outlook"),
    help_outlook_text: (
        "これまでの実績から推定した年あたりのペースが続くとき、計画期間の最終年度までに目標に達する確率です。「高い」（80%以上）、「中程度」（50%以上80%未満）、「低い」（50%未満）の言葉と百分率で示します。件数を積み上げる指標についてだけ計算し、50% 未満の指標はダッシュボードで要注意として示します。",
        "The probability of reaching the target by the plan's last year if the yearly pace estimated from the actuals so far continues. Shown in words — High (80% or more), Medium (50% to under 80%), Low (under 50%) — and as a percentage. Computed only for indicators that add up counts; those under 50% are listed on the dashboard as needing attention."
    ),
    help_outlook_formula: (
        "年あたりの件数をこれまでの実績から推定する統計モデル（負の二項分布）で、残りの年数に目標との差以上が得られる確率",
        "The probability that the remaining years bring at least the shortfall, under a statistical model (negative binomial) of the yearly count estimated from the actuals so far"
    ),
    help_not_reported_name: ("未報告", "Not reported"),
    help_not_reported_text: (
        "評価年度までにその指標の実績が報告されていないことを示します。報告がないものを 0% と示すと「進んでいない」と読めてしまうため、進捗率・ペース・達成見込みの代わりに「未報告」と表示します。評価年度の実績が報告されていない指標の自動判定は、すでに目標に達しているものを除き N（評価困難）です。",
        "No actual of the indicator has been reported up to the as-of year. Showing 0% would read as \u{201c}no progress\u{201d}, so the pages say \u{201c}Not reported\u{201d} instead of the progress, pace and outlook. An indicator without a value for the as-of year is judged N (hard to evaluate) unless it has already reached its target."
    ),
    help_auto_judgement_name: ("自動判定", "Automatic judgement"),
    help_auto_judgement_text: (
        "pdca が実績の数値から機械的に示す評価の案です。目標に達していれば「達成」、累計が期待値以上なら A、期待値に届かなければ B、評価年度の報告がないなど数値から判断できなければ N を示します。専門調査会が評価を決めるための参考であり、評価そのものではありません。",
        "The rating pdca proposes from the figures: \u{201c}Achieved\u{201d} when the target is reached, A when the cumulative actual is at or above the expected value, B when it is below, and N when the figures cannot tell (for example, nothing reported for the as-of year). It is a suggestion to the committee, not the rating."
    ),
    help_rating_name: ("評価", "Rating"),
    help_rating_text: (
        "健康・医療戦略推進専門調査会が指標ごとに決める3段階の評価です。自動判定と異なる評価には理由を記録します。",
        "The committee's three-level rating of each indicator. A rating that differs from the automatic judgement is recorded with a reason."
    ),
    help_rating_a: ("A：順調に進捗している（進捗が順調）", "A: progressing well (on track)"),
    help_rating_b: ("B：進捗が不十分。フォローアップの終了までに課題と解決策を記録します", "B: progress is insufficient; an issue and a solution are recorded before the round closes"),
    help_rating_n: ("N：現時点で評価が困難（報告がない、判断できる段階にないなど）", "N: hard to evaluate for now (nothing reported, too early to tell, …)"),
    help_sub_target_name: ("内訳目標", "Sub-target"),
    help_sub_target_text: (
        "ある指標の目標のうち、特定の分野などについて別に定められた目標です（例:「うち遺伝子治療 5件」）。親の指標の内訳として、それ自体の目標値に対して進捗を示します。",
        "A part of an indicator's target set separately, for a field for example (\u{201c}of which gene therapy: 5\u{201d}). Shown under its parent indicator, with its progress against its own target."
    ),
    help_management_indicator_name: ("管理指標", "Management indicator"),
    help_management_indicator_text: (
        "数値目標を持たず、件数や状況（文章）の報告で推移を見守る指標です（その他管理指標）。A・B・N の評価の対象ではありません。",
        "An indicator without a numeric target, followed through the counts or the written status reported (other management indicators). It is not rated A, B or N."
    ),
    help_locked_name: ("確定", "Locked"),
    help_locked_text: (
        "フォローアップを終了した年度の承認済み実績の状態です。確定した実績は変更できません。確定した年度の実績と専門調査会の評価は、閲覧者とオープンデータに公開されます。",
        "The state of a year's approved actuals once its follow-up round has closed. Locked values cannot be changed. The locked values and the committee's ratings of that year are shown to viewers and in the open data."
    ),
    // -- progress: dashboard, project, indicator pages (add their texts here) --
    auto_judgement: ("自動判定", "Automatic judgement"),
    committee_rating: ("委員会の評価", "Committee rating"),
    outlook_high: ("高い", "High"),
    outlook_medium: ("中程度", "Medium"),
    outlook_low: ("低い", "Low"),
    sub_targets_heading: ("内訳目標", "Sub-targets"),
    chart_table_summary: ("表で見る", "Show as a table"),
    unit_label: ("単位", "Unit"),
    list_separator: ("、", ", "),
    colon: ("：", ": "),
    paren_open: ("（", " ("),
    paren_close: ("）", ")"),
    sentence_end: ("。", ". "),
    nothing_reported: ("この年度までに報告された実績はありません。", "No actual has been reported up to this year."),
    // -- actuals: entry, upload, approval (add their texts here) --
    entry_unchanged: ("変更された値はありませんでした。", "No value was changed."),
    entry_form_heading: ("実績を入力する", "Enter the values"),
    entry_col_target: ("目標（計画期間）", "Target (plan period)"),
    entry_col_previous: ("前年度の実績", "Last year's value"),
    entry_col_cumulative: ("前年度までの累計（承認済み）", "Total of the years before (approved)"),
    entry_col_input: ("今年度の実績", "This year's value"),
    entry_not_reported: ("未報告", "Not reported"),
    entry_note_source: ("備考・出典", "Note and source"),
    entry_filled: ("入力済み", "Entered"),
    entry_all_read_only: (
        "この年度の値はすべて提出済みか承認済みのため、変更できません。",
        "Every value of this year has been submitted or approved and cannot be changed."
    ),
    entry_state_none: ("未入力", "Not entered"),
    entry_state_draft: ("一時保存", "Saved (not submitted)"),
    entry_state_submitted: ("提出済み", "Submitted"),
    entry_state_returned: ("差戻し", "Returned"),
    entry_state_approved: ("承認済み", "Approved"),
    entry_state_locked: ("確定済み", "Locked"),
    entry_errors_heading: ("入力に誤りがあります", "There is a problem with the values"),
    entry_errors_where: (
        "何も保存しておらず、提出もしていません。次の項目を直してください。メッセージは各入力欄のすぐ上にも表示しています。",
        "Nothing was saved or submitted. Correct the items below; each message is also shown just above its field."
    ),
    entry_submit_title: ("実績を提出しますか", "Submit the values?"),
    entry_submit_detail: (
        "提出をやめる場合は「戻る」を押してください。入力した値は一時保存のまま残ります。",
        "To not submit now, press Go back; the values stay saved without being submitted."
    ),
    entry_submit_confirm: ("提出する", "Submit"),
    approval_col_previous: ("前年度の実績", "Last year's value"),
    approval_col_target: ("目標（計画期間）", "Target (plan period)"),
    approval_year_all: ("すべての年度", "All years"),
    approval_all_title: ("表示中の実績をすべて承認しますか", "Approve every value shown?"),
    approval_all_detail: (
        "承認した値は評価に使われ、報告機関は変更できなくなります。",
        "Approved values count in the evaluation and the bodies can no longer change them."
    ),
    approval_lock_title: ("年度の値を確定しますか", "Lock the year's values?"),
    approval_lock_detail: (
        "確定した値は、事務局も含めて以後変更できなくなります。",
        "Locked values can no longer be changed by anyone, the secretariat included."
    ),
    // -- follow_up: rounds, round page, trace (add their texts here) --
    round_unrated: ("未評価", "Not rated"),
    round_auto_suggests: ("自動判定", "Automatic judgement"),
    round_management: ("管理指標（評価の対象外）", "Management indicator (not rated)"),
    round_edit_rating: ("評価を記録・変更する", "Record or change the rating"),
    round_rating_legend: ("評価", "Rating"),
    round_reason_hint: ("自動判定と異なる評価のときは必須です。", "Required when the rating differs from the automatic judgement."),
    round_issue_hint: ("B（進捗が不十分）のときは、終了までに課題と解決策の両方が必要です。", "When rated B, both the issue and the solution are needed before closing."),
    round_error_summary: ("入力内容を確認してください", "Please check what you entered"),
    round_reason_required: ("理由を書いてください。自動判定（{auto}）と異なる評価（{rating}）には理由が必要です。", "Write a reason: a rating ({rating}) that differs from the automatic judgement ({auto}) needs one."),
    round_management_refused: ("{name} は管理指標のため評価しません。", "{name} is a management indicator and is not rated."),
    round_rated_notice: ("{name} を {rating}（{label}）で記録しました", "Recorded {name} as {rating} ({label})"),
    round_opened_notice: ("{fy}のフォローアップを開始しました", "The follow-up of {fy} is open"),
    round_advanced_notice: ("状態を「{state}」に進めました", "The round moved to \u{201c}{state}\u{201d}"),
    round_closed_notice: ("{fy}のフォローアップを終了しました。この年度の実績は確定しました", "The follow-up of {fy} is closed; the year's values are locked"),
    round_reopened_notice: ("{fy}のフォローアップを再開しました", "The follow-up of {fy} is reopened"),
    round_item_notice: ("{kind} #{id} を追加しました", "Added {kind} #{id}"),
    round_reflected_notice: ("#{id} を反映済みにしました", "Marked #{id} as reflected"),
    round_meeting_notice: ("会合を登録しました", "The meeting was added"),
    round_minutes_notice: ("{meeting}の議事録を保存しました", "Saved the minutes of {meeting}"),
    round_material_notice: ("{meeting}に資料を添付しました", "Attached the material to {meeting}"),
    round_progress_heading: ("進行", "Progress of the round"),
    round_close_heading: ("フォローアップの終了", "Closing the round"),
    round_close_explain: ("終了すると、この年度の承認済み実績が確定し、変更できなくなります。", "Closing locks the year's approved values; they can no longer be changed."),
    round_reopen_heading: ("フォローアップの再開", "Reopening the round"),
    round_close_refused: ("終了できません。次の{n}件が不足しています。", "The round cannot close: {n} things are missing."),
    round_close_title: ("フォローアップを終了しますか", "Close the round?"),
    round_close_consequence: ("{fy}の承認済み実績 {n}件を確定し、ラウンドを終了します。", "This locks the {n} approved values of {fy} and closes the round."),
    round_close_detail_locked: ("終了後は、この年度の実績と評価を変更できません。変更するには、理由を記録して再開します。", "After closing, the year's values and ratings cannot change; to change them, reopen the round with a reason."),
    round_close_detail_public: ("終了したフォローアップは閲覧者とオープンデータに公開されます。", "A closed round is shown to viewers and in the open data."),
    round_reopen_title: ("フォローアップを再開しますか", "Reopen the round?"),
    round_reopen_consequence: ("{fy}のフォローアップを再開し、第2回会合の段階に戻します（評価 {n}件は残ります）。", "This reopens the round of {fy} at meeting ② (its {n} ratings are kept)."),
    round_reopen_detail_hidden: ("再開中は閲覧者とオープンデータに表示されません。", "While reopened, the round is not shown to viewers or in the open data."),
    round_reopen_detail_reason: ("再開の理由: {reason}", "Reason for reopening: {reason}"),
    round_reopen_detail_locked: ("確定した実績は確定したままです。", "The locked values stay locked."),
    round_missing_rating: ("{name}: 評価がありません", "{name}: no rating"),
    round_missing_issue_solution: ("{name}: B と評価されていますが課題と解決策がありません", "{name}: rated B without an issue or a solution"),
    round_missing_issue: ("{name}: B と評価されていますが課題がありません", "{name}: rated B without an issue"),
    round_missing_solution: ("{name}: B と評価されていますが解決策がありません", "{name}: rated B without a solution"),
    round_missing_pending: ("{name}（{body}）: 実績が承認されていません（{state}）", "{name} ({body}): the value is not approved ({state})"),
    round_links_items: ("項目", "Items"),
    round_links_project_itself: ("（統合プロジェクト全体）", "(the whole project)"),
    round_required: ("※必須", "Required"),
    // -- tasks and home (add their texts here) --
    work_home_heading: ("あなたの作業", "Your work"),
    work_home_all: ("作業の一覧をすべて見る", "See all your work"),
    work_home_more: ("ほか{n}件", "{n} more"),
    work_report_of: ("{fy}の実績の報告", "Reporting the actuals of {fy}"),
    work_deadline: ("報告期限", "Deadline"),
    work_no_deadline: ("報告期限はフォローアップの開始時に決まります（標準の日程では {date}）。", "The deadline is set when the follow-up opens (usually {date})."),
    work_deadline_usual: ("報告期限（標準の日程）", "Deadline (usual schedule)"),
    work_days_left: ("あと{n}日", "{n} days left"),
    work_due_today: ("本日が期限です", "Due today"),
    work_days_over: ("期限を{n}日過ぎています", "{n} days past the deadline"),
    work_state_returned: ("差戻し", "Returned"),
    work_state_unreported: ("未報告", "Not reported"),
    work_state_draft: ("入力途中（未提出）", "Draft (not submitted)"),
    work_state_awaiting: ("承認待ち", "Awaiting approval"),
    work_state_reported: ("報告済み", "Reported"),
    work_returned_on: ("差戻し日", "Returned on"),
    work_submitted_on: ("提出日", "Submitted on"),
    work_approved_on: ("承認日", "Approved on"),
    work_reason: ("事務局からの差戻しの理由", "The secretariat's reason"),
    work_no_reason: ("（理由の記載なし）", "(no reason given)"),
    work_sec_returned: ("差し戻された実績", "Values returned to you"),
    work_sec_unreported: ("まだ報告していない指標", "Indicators not yet reported"),
    work_sec_awaiting: ("事務局の承認待ちの指標", "Awaiting the secretariat's approval"),
    work_sec_reported: ("報告済みの指標", "Reported indicators"),
    work_sec_status: ("報告状況", "Reporting status"),
    work_status_caption: ("{fy}の報告状況（報告機関ごと）", "Reporting status of {fy} by body"),
    work_col_submitted: ("提出済み／割当て", "Submitted / assigned"),
    work_col_returned: ("差戻し", "Returned"),
    work_col_unreported: ("未報告", "Not reported"),
    work_open_entry: ("{body}の入力画面", "Entry form of {body}"),
    work_sec_approval: ("承認待ちの実績", "Values awaiting approval"),
    work_approval_line: ("{fy}の承認待ち {n}件", "{fy}: {n} awaiting approval"),
    work_oldest: ("最も古い提出", "Oldest submission"),
    work_sec_ratings: ("評価が未記録の指標", "Indicators not yet rated"),
    work_sec_committee: ("評価を待っている指標", "Indicators awaiting your rating"),
    work_sec_b: ("B評価で課題・解決策が未記入の指標", "Rated B without an issue or a solution"),
    work_missing_issue_solution: ("課題と解決策が未記入", "No issue and no solution"),
    work_missing_issue: ("課題が未記入", "No issue"),
    work_missing_solution: ("解決策が未記入", "No solution"),
    work_not_rated: ("評価が未記録", "Not rated"),
    work_sec_opinion: ("意見の記入", "Opinions"),
    work_opinion_line: ("{fy}のフォローアップへの意見", "Opinions on the follow-up of {fy}"),
    work_meeting_on: ("会合", "Meeting"),
    work_meeting_1_usual: ("第1回会合（標準の日程）", "Meeting ① (usual schedule)"),
    work_meeting_2_usual: ("第2回会合（標準の日程）", "Meeting ② (usual schedule)"),
    work_round_of: ("{fy}のフォローアップ", "Follow-up of {fy}"),
    // -- accounts: users, tokens, audit log (add their texts here) --
    audit_col_what: ("内容", "What happened"),
    audit_reason: ("理由", "Reason"),
    audit_remark: ("備考", "Remark"),
    audit_kind_round: ("フォローアップ・評価", "Follow-up rounds and ratings"),
    audit_kind_meeting: ("会合", "Meetings"),
    audit_plan_create: ("{actor} が計画「{plan}」を登録しました（第{new}版）。", "{actor} registered the plan “{plan}” (revision {new})."),
    audit_plan_revise: ("{actor} が計画「{plan}」を改定しました（第{old}版 → 第{new}版）。", "{actor} revised the plan “{plan}” (revision {old} → {new})."),
    audit_assign_new: ("{actor} が指標{indicator}の報告機関に {body} を割り当てました{share}。", "{actor} assigned {body} to report {indicator}{share}."),
    audit_assign_share: ("{actor} が指標{indicator}の {body} の分担を {old} → {new} に変更しました。", "{actor} changed the share of {body} in {indicator} from {old} to {new}."),
    audit_assign_remove: ("{actor} が指標{indicator}の報告機関から {body} を外しました。", "{actor} removed {body} from the bodies reporting {indicator}."),
    audit_share: ("（分担 {share}）", " (share {share})"),
    audit_no_share: ("なし", "none"),
    audit_user_create: ("{actor} がユーザー {name}（{role}）を作成しました。", "{actor} created the user {name} ({role})."),
    audit_user_disable: ("{actor} がユーザー {name} を無効にしました。", "{actor} disabled the user {name}."),
    audit_user_enable: ("{actor} がユーザー {name} を有効にしました。", "{actor} enabled the user {name}."),
    audit_user_reset: ("{actor} がユーザー {name} のパスワードを再発行しました。", "{actor} issued a new password for the user {name}."),
    audit_user_own_password: ("{actor} が自分のパスワードを変更しました。", "{actor} changed their own password."),
    audit_token_create: ("{actor} が {name} の API トークン「{token}」を発行しました。", "{actor} created the API token “{token}” of {name}."),
    audit_token_revoke: ("{actor} が {name} の API トークン「{token}」を失効させました。", "{actor} revoked the API token “{token}” of {name}."),
    audit_actual_recorded: ("{actor} が{indicator}の{fy}の値（{body}）を {new} と記録しました（{state}）。", "{actor} recorded {new} as the {fy} value of {indicator} ({body}, {state})."),
    audit_actual_changed: ("{actor} が{indicator}の{fy}の値（{body}）を {old} → {new} に変更しました（{state}）。", "{actor} changed the {fy} value of {indicator} ({body}) from {old} to {new} ({state})."),
    audit_actual_state: ("{actor} が{indicator}の{fy}の値（{body}）を「{old}」から「{new}」にしました。", "{actor} took the {fy} value of {indicator} ({body}) from “{old}” to “{new}”."),
    audit_actuals_record: ("{actor} が実績 {n}件を一括で記録しました（{years}）。", "{actor} recorded {n} values at once ({years})."),
    audit_actuals_lock: ("{actor} が{fy}の承認済み実績 {n}件を確定しました。", "{actor} locked {n} approved values of {fy}."),
    audit_round_open: ("{actor} が{fy}のフォローアップを開始しました（報告期限 {date}）。", "{actor} opened the follow-up of {fy} (reports due {date})."),
    audit_round_state: ("{actor} が{fy}のフォローアップを「{old}」から「{new}」に進めました。", "{actor} moved the follow-up of {fy} from “{old}” to “{new}”."),
    audit_round_reopen: ("{actor} が終了した{fy}のフォローアップを再開しました（「{new}」に戻しました）。", "{actor} reopened the closed follow-up of {fy} (back to “{new}”)."),
    audit_rate_new: ("{actor} が{indicator}の{fy}の評価を {new} と記録しました。", "{actor} rated {indicator} {new} for {fy}."),
    audit_rate_change: ("{actor} が{indicator}の{fy}の評価を {old} → {new} に変更しました。", "{actor} changed the {fy} rating of {indicator} from {old} to {new}."),
    audit_rate_update: ("{actor} が{indicator}の{fy}の評価（{new}）の理由・課題・解決策を更新しました。", "{actor} updated the reason, issue or solution of the {fy} rating of {indicator} ({new})."),
    audit_round_item: ("{actor} が{fy}のフォローアップに{kind}「{title}」を追加しました。", "{actor} added the {kind} “{title}” to the follow-up of {fy}."),
    audit_item_reflected: ("{actor} が{fy}のフォローアップの項目 {item} を反映済みにしました。", "{actor} marked item {item} of the follow-up of {fy} as reflected."),
    audit_item_unreflected: ("{actor} が{fy}のフォローアップの項目 {item} を未反映に戻しました。", "{actor} marked item {item} of the follow-up of {fy} as not reflected."),
    audit_meeting_add: ("{actor} が会合「{title}」を登録しました。", "{actor} added the meeting “{title}”."),
    audit_meeting_minutes: ("{actor} が会合の議事録を保存しました。", "{actor} saved the minutes of a meeting."),
    audit_meeting_material: ("{actor} が会合の資料「{title}」を添付しました。", "{actor} attached the material “{title}” to a meeting."),
    audit_other: ("{actor} が {subject} を変更しました。", "{actor} changed {subject}."),
    token_done_revoked_named: ("トークン「{token}」を失効させました。このトークンは今後使えません。", "The token “{token}” was revoked; it can no longer be used."),
    user_disable_title: ("{name} を無効にしますか", "Disable {name}?"),
    user_disable_consequence: ("{name} を無効にします。サインインできなくなり、発行済みのトークン {n}件も使えなくなります。", "{name} will be disabled: they can no longer sign in, and their {n} API tokens stop working."),
    user_disable_consequence_no_tokens: ("{name} を無効にします。サインインできなくなります（発行済みの API トークンはありません）。", "{name} will be disabled: they can no longer sign in (they have no API tokens)."),
    user_disable_sessions: ("サインイン中の画面はすぐに使えなくなります。", "Any signed-in session of theirs ends at once."),
    user_disable_undo: ("「有効にする」でいつでも戻せます（トークンも再び使えるようになります）。", "“Enable” undoes it at any time (the tokens work again)."),
    user_disable_confirm: ("{name} を無効にする", "Disable {name}"),
    user_done_disabled_named: ("{name} を無効にしました。", "{name} was disabled."),
    user_done_enabled_named: ("{name} を有効にしました。", "{name} was enabled."),
    // -- Achievements behind the counts (achievements/list.rs, issue 15) --
    ach_heading: ("成果の一覧", "Achievements"),
    ach_counted: ("この指標の実績は成果の一覧から集計しています。", "This indicator's actuals are counted from its list of achievements."),
    ach_sub_target: ("内訳目標の成果は、親指標の成果のうち区分「{tag}」のものです。", "A sub-target's achievements are those of its parent tagged “{tag}”."),
    ach_year_heading: ("{fy}（{n}件）", "{fy} ({n})"),
    ach_none: ("表示できる成果はありません。", "There are no achievements to show."),
    ach_viewer_note: ("公開が認められ、承認された成果の成果名と実施機関を表示しています。", "Only approved achievements cleared for publication are shown, with their title and institution."),
    ach_col_title: ("成果名", "Title"),
    ach_col_institution: ("実施機関", "Institution"),
    ach_col_date: ("日付", "Date"),
    ach_col_tags: ("区分", "Tags"),
    ach_col_body: ("報告機関", "Reporting body"),
    ach_col_project_code: ("課題番号", "Project code"),
    ach_col_state: ("状態", "State"),
    ach_confidential: ("非公開", "Confidential"),
    ach_link_hint: ("（成果の一覧へ）", " (to the achievements)"),
    // -- end of achievements behind the counts --
    // -- Entry and approval of achievements (achievements/entry.rs, issue 15) --
    ae_title: ("成果の入力", "Entering achievements"),
    ae_intro: ("報告機関が年度ごとに成果（POC、導出、承認など）を1件ずつ入力し、まとめて提出します。提出した成果は事務局が承認するか、コメントを付けて差し戻します。件数を成果から集計する指標では、承認された成果の数が実績になります。", "A reporting body enters its achievements (POCs, licences, approvals …) one by one for each year and submits them together. The secretariat approves each submitted achievement or returns it with a comment. For an indicator counted from its achievements, the number of approved achievements is the actual."),
    ae_entry_link: ("成果の一覧を入力する", "Enter the list of achievements"),
    ae_body: ("報告機関", "Reporting body"),
    ae_show: ("表示する", "Show"),
    ae_to_actuals: ("実績の入力へ", "To the entry of actuals"),
    ae_list_heading: ("入力済みの成果", "Achievements entered"),
    ae_none: ("この年度の成果はまだありません。", "No achievement has been entered for this year yet."),
    ae_no_indicators: ("この報告機関が報告する件数の指標がないため、成果は入力できません。", "This body reports no count indicator, so no achievement can be entered."),
    ae_to_submit: ("提出していない成果（一時保存・差戻し）", "Achievements not yet submitted (drafts and returned)"),
    ae_submit: ("提出する", "Submit"),
    ae_confirm_title: ("成果を提出しますか", "Submit the achievements?"),
    ae_confirm_submit: ("{fy}の成果 {n}件を提出します。提出後は事務局の承認・差戻しまで変更できません。", "{n} achievements of {fy} will be submitted. They cannot be changed until the secretariat approves or returns them."),
    ae_confirm_item: ("成果 {id}「{title}」", "Achievement {id}: {title}"),
    ae_submitted: ("{fy}の成果 {n}件を提出しました。", "{n} achievements of {fy} were submitted."),
    ae_nothing_to_submit: ("提出する成果はありません。", "There is nothing to submit."),
    ae_submit_conflict: ("提出する成果が表示の後に変更されたため、提出しませんでした。内容を確認して、もう一度提出してください。", "The achievements changed after the page was shown, so nothing was submitted. Check them and submit again."),
    ae_returned_comment: ("差戻しのコメント", "Why it was returned"),
    ae_id: ("成果 ID", "Achievement ID"),
    ae_edit: ("この成果を修正する", "Edit this achievement"),
    ae_approve: ("承認する", "Approve"),
    ae_return: ("差し戻す", "Return"),
    ae_comment: ("コメント", "Comment"),
    ae_required_to_return: ("差し戻すときは必須", "Required to return"),
    ae_comment_required: ("差し戻す理由をコメントに書いてください。", "Write why it is returned in the comment."),
    ae_review_conflict: ("この成果は表示の後に変更されたため、承認・差戻しをしませんでした。内容を確認してください。", "The achievement changed after the page was shown, so it was neither approved nor returned. Check it again."),
    ae_approved: ("この成果を承認しました。", "The achievement was approved."),
    ae_returned: ("この成果を差し戻しました。", "The achievement was returned."),
    ae_saved: ("この成果を一時保存しました。提出するまで事務局には送られません。", "The achievement was saved as a draft. It is not sent to the secretariat until submitted."),
    ae_new_heading: ("成果を追加する", "Add an achievement"),
    ae_new_intro: ("追加した成果は一時保存になります。まとめて「提出する」で事務局に提出してください。", "An added achievement is a draft. Submit the drafts together with “Submit”."),
    ae_add: ("追加する", "Add"),
    ae_save_edit: ("修正を保存する", "Save the changes"),
    ae_field_indicator: ("指標", "Indicator"),
    ae_field_year: ("年度", "Year"),
    ae_field_project_code: ("課題番号", "Project code"),
    ae_field_title: ("成果名", "Title"),
    ae_field_institution: ("実施機関", "Institution"),
    ae_field_date: ("日付", "Date"),
    ae_field_tags: ("区分", "Tags"),
    ae_field_public: ("公開", "Publication"),
    ae_field_notable: ("顕著な成果の候補", "Candidate notable achievement"),
    ae_field_url: ("URL", "URL"),
    ae_field_note: ("備考", "Note"),
    ae_public_yes: ("公開", "Public"),
    ae_public_no: ("非公開", "Confidential"),
    ae_notable_yes: ("候補", "Candidate"),
    ae_date_hint: ("年度内の日付。例: 2022-10-01、2022/10/1、令和4年10月1日", "A date inside the year, e.g. 2022-10-01"),
    ae_url_hint: ("根拠となるページ（https:// で始まるもの）", "The evidence page (starting with https://)"),
    ae_tags_hint: ("内数の区分を「、」で区切って書きます。使える区分: {tags}", "Sub-target tags, separated by commas. Allowed: {tags}"),
    ae_tags_none: ("この報告機関の指標には内数の区分がないため、空欄にしてください。", "These indicators have no sub-target tags: leave it blank."),
    ae_not_editable: ("成果「{title}」は「{state}」のため変更できません。", "“{title}” is {state} and cannot be changed."),
    ae_conflict: ("この成果は {at} に {by} が先に保存したため、保存しませんでした。現在の内容: {current}。入力した内容は下に残っています。確認して、もう一度保存してください。", "{by} saved this achievement first, at {at}, so nothing was saved. Now: {current}. What you typed is kept below: check it and save again."),
    ae_conflict_short: ("他の人が先に保存したため、保存しませんでした。", "Someone saved first, so nothing was saved."),
    ae_queue_heading: ("承認待ちの成果", "Achievements waiting for approval"),
    ae_queue_line: ("{body} {fy}: {n}件", "{body}, {fy}: {n}"),
    ae_approval_link: ("提出された成果の承認は「成果の入力」で行います", "Submitted achievements are approved on “Entering achievements”"),
    // -- end of entry and approval of achievements --
    // -- Possible duplicate achievements (achievements/duplicates.rs, issue 15) --
    nav_duplicates: ("成果の重複の判断", "Duplicate achievements"),
    dup_title: ("重複の可能性がある成果", "Possible duplicate achievements"),
    dup_plan: ("計画", "Plan"),
    dup_intro: ("同じ課題番号と成果名、または同じURLで報告された成果の組です。同じ成果を二度報告したものか、別の成果かを判断してください。同じ成果と判断した組は、残す報告の1件として数えます。判断は後から変更でき、前の判断も履歴に残ります。", "Pairs of achievements reported with the same project code and title, or the same link. Decide whether each is one achievement reported twice or two different ones. A pair decided the same is counted once, as the report that stands. A decision can be changed later; earlier decisions stay in the history."),
    dup_open_heading: ("未判断の組（{n}組）", "Undecided pairs ({n})"),
    dup_decided_heading: ("判断済みの組（{n}組）", "Decided pairs ({n})"),
    dup_none_open: ("未判断の組はありません。", "No pair is waiting for a decision."),
    dup_none_decided: ("判断済みの組はありません。", "No pair has been decided yet."),
    dup_pair_heading: ("成果 {a} と {b}", "Achievements {a} and {b}"),
    dup_caption: ("成果 {a} と {b} の報告", "The reports of achievements {a} and {b}"),
    dup_status_open: ("未判断", "Undecided"),
    dup_status_decided: ("判断済み", "Decided"),
    dup_indicator: ("指標", "Indicator"),
    dup_reasons: ("重複と見られる理由", "Why they look alike"),
    dup_reason_project_title: ("同じ課題番号と成果名", "Same project code and title"),
    dup_reason_url: ("同じURL", "Same link"),
    dup_col_id: ("成果 ID", "Achievement ID"),
    dup_col_body: ("報告機関", "Body"),
    dup_col_year: ("年度", "Year"),
    dup_col_code: ("課題番号", "Project code"),
    dup_col_title: ("成果名", "Title"),
    dup_col_institution: ("実施機関", "Institution"),
    dup_col_date: ("日付", "Date"),
    dup_col_url: ("URL", "Link"),
    dup_col_state: ("状態", "State"),
    dup_decision: ("判断", "Decision"),
    dup_decision_same: ("同じ成果（成果 {kept} の報告を残し、1件に数える）", "The same achievement (the report of {kept} stands; counted once)"),
    dup_decision_distinct: ("別の成果（両方を数える）", "Different achievements (both counted)"),
    dup_decided_by: ("判断した人", "Decided by"),
    dup_decided_at: ("判断した日時", "Decided at"),
    dup_history: ("これまでの判断", "Earlier decisions"),
    dup_change: ("判断を変更する", "Change the decision"),
    dup_form_legend: ("判断", "Decision"),
    dup_same: ("同じ成果（1件に数える）", "The same achievement (count it once)"),
    dup_kept_legend: ("残す報告（同じ成果のとき）", "The report that stands (when the same)"),
    dup_kept_option: ("成果 {id}（{body}・{year}）", "Achievement {id} ({body}, {year})"),
    dup_distinct: ("別の成果（両方を数える）", "Different achievements (count both)"),
    dup_reason_label: ("理由", "Reason"),
    dup_reason_hint: ("判断の根拠を書いてください。例: 同じ課題を令和4年度と令和5年度に報告したもの／課題番号は同じだが別の品目の承認", "Say why. For example: the same project reported in FY2022 and FY2023 / the same project code, but the approval of another product"),
    dup_submit: ("判断を記録する", "Record the decision"),
    dup_err_resolution: ("「同じ成果」か「別の成果」かを選んでください。", "Choose “the same achievement” or “different achievements”."),
    dup_err_kept: ("同じ成果とするときは、残す報告を選んでください。", "Choose the report that stands."),
    dup_err_reason: ("理由を書いてください。", "Give a reason."),
    dup_err_unknown: ("成果 {id} はこの計画にありません。", "Achievement {id} is not in this plan."),
    dup_err_other_indicator: ("成果 {a} と {b} は別の指標の成果です。同じ指標の成果どうしだけを判断できます。", "Achievements {a} and {b} belong to different indicators; only achievements of one indicator can be decided."),
    dup_err_pair: ("判断する成果の組がわかりません。一覧から選び直してください。", "The pair to decide is unclear; choose it again from the list."),
    dup_done: ("成果 {a} と {b} の判断を記録しました: {decision}。", "The decision on achievements {a} and {b} was recorded: {decision}."),
    dup_confirm_title: ("同じ成果として記録しますか", "Record them as the same achievement?"),
    dup_confirm_consequence: ("成果 {a} と {b} を同じ成果として1件に数えます（{kept} の報告を残します）。", "Achievements {a} and {b} will be counted once, as the same achievement (the report of {kept} stands). "),
    dup_confirm_count: ("指標「{indicator}」の{fy}の件数は {before}から {after}になります。", "The count of “{indicator}” for {fy} goes from {before} to {after}."),
    dup_confirm_unchanged: ("指標「{indicator}」の承認済みの件数は変わりません。", "The approved count of “{indicator}” does not change."),
    dup_confirm_typed: ("指標「{indicator}」は報告された値で評価するため、評価の件数は変わりません（成果の一覧では1件に数えます）。", "“{indicator}” is evaluated from the reported values, so its count does not change (the list of achievements counts them once)."),
    dup_confirm_set_aside: ("成果 {other} の報告は消さずに残ります。判断は後から変更でき、変更しても履歴に残ります。", "The report of {other} is kept, not deleted. The decision can be changed later; every decision stays in the history."),
    dup_confirm_previous: ("いまの判断「{decision}」は履歴に残ります。", "The current decision “{decision}” stays in the history."),
    dup_confirm_reason: ("理由: {reason}", "Reason: {reason}"),
    dup_confirm_button: ("同じ成果として記録する", "Record as the same achievement"),
    work_sec_duplicates: ("重複の可能性がある成果", "Possible duplicate achievements"),
    work_duplicates_line: ("重複の可能性がある成果の判断 {n}組", "Decide {n} possible duplicate pairs"),
    // -- end of duplicate achievements --
    // -- Notable achievements offered on the round page (follow_up/round_page.rs, issue 15) --
    round_notable_choices: ("成果一覧から選ぶ", "Choose from the achievements"),
    round_notable_choices_hint: ("この年度に顕著な成果の候補として承認された、公開可の成果です。選ぶと下の欄に成果名・実施機関と指標が入ります（まだ追加はされません。確かめてから「追加」を押してください）。", "Approved, public achievements of this year marked as candidates for notable results. Choosing one fills in the form below with its title, institution and indicator (nothing is added until you press Add)."),
    // -- end of notable achievements on the round page --
    bodies_unassign_title: ("割当てを外しますか", "Remove the assignment?"),
    bodies_unassign_consequence: ("指標「{indicator}」の報告機関から {body} を外します。{body} はこの指標の値を報告できなくなります。", "{body} will no longer report the indicator “{indicator}”."),
    bodies_unassign_values: ("{body} がこれまでに報告したこの指標の値 {n}件は残ります。", "The {n} values {body} reported for it are kept."),
    bodies_unassign_rest: ("外した後の報告機関: {rest}", "Bodies left: {rest}"),
    bodies_unassign_confirm: ("割当てを外す", "Remove the assignment"),
    bodies_done_assigned_named: ("指標「{indicator}」に {body} を割り当てました。", "{body} now reports “{indicator}”."),
    bodies_done_unassigned_named: ("指標「{indicator}」の報告機関から {body} を外しました。", "{body} no longer reports “{indicator}”."),
}

impl Text {
    /// The short label of a status in tables: 達成, A, B, N, ー.
    pub fn status_short(&self, status: Status) -> &'static str {
        match status {
            Status::Achieved => self.status_achieved_short,
            Status::OnTrack => "A",
            Status::Insufficient => "B",
            Status::NotEvaluable => "N",
            Status::NotRated => self.status_not_rated_short,
        }
    }

    /// What a status means, in words.
    pub fn status_long(&self, status: Status) -> &'static str {
        match status {
            Status::Achieved => self.status_achieved,
            Status::OnTrack => self.status_on_track,
            Status::Insufficient => self.status_insufficient,
            Status::NotEvaluable => self.status_not_evaluable,
            Status::NotRated => self.status_not_rated,
        }
    }

    /// アウトプット / アウトカム.
    pub fn kind(&self, kind: IndicatorKind) -> &'static str {
        match kind {
            IndicatorKind::Output => self.outputs_heading,
            IndicatorKind::Outcome => self.outcomes_heading,
        }
    }
}

/// A role's name.
pub fn role_label(lang: Lang, role: Role) -> &'static str {
    match lang {
        Lang::Ja => role.label_ja(),
        Lang::En => match role {
            Role::Secretariat => "Secretariat",
            Role::Body => "Reporting body",
            Role::Committee => "Committee member",
            Role::Viewer => "Viewer",
        },
    }
}

/// An approval state's name.
pub fn state_label(lang: Lang, state: ActualState) -> &'static str {
    match lang {
        Lang::Ja => state.label_ja(),
        Lang::En => match state {
            ActualState::Draft => "Draft",
            ActualState::Submitted => "Submitted",
            ActualState::Approved => "Approved",
            ActualState::Returned => "Returned",
            ActualState::Locked => "Locked",
        },
    }
}

/// A fiscal year: 令和4年度, FY2022.
pub fn fiscal_year(lang: Lang, fy: FiscalYear) -> String {
    match lang {
        Lang::Ja => fy.wareki(),
        Lang::En => fy.to_string(),
    }
}

/// The heading of an evaluation: 令和5年度時点, As of FY2023.
pub fn as_of(lang: Lang, fy: FiscalYear) -> String {
    match lang {
        Lang::Ja => format!("{}時点", fy.wareki()),
        Lang::En => format!("As of {fy}"),
    }
}

/// A stored timestamp (RFC 3339) in Japan time: 令和5年6月13日 14:05, 2023-06-13 14:05.
/// A text that is not RFC 3339 is shown as it is.
pub fn date_time(lang: Lang, rfc3339: &str) -> String {
    let Ok(at) = OffsetDateTime::parse(rfc3339, &Rfc3339) else {
        return rfc3339.to_owned();
    };
    let jst = UtcOffset::from_hms(9, 0, 0).map_or(at, |offset| at.to_offset(offset));
    let (y, m, d) = (jst.year(), u8::from(jst.month()), jst.day());
    match lang {
        Lang::Ja => format!(
            "{} {:02}:{:02}",
            wareki_date(y, u32::from(m), u32::from(d)),
            jst.hour(),
            jst.minute()
        ),
        Lang::En => format!("{y}-{m:02}-{d:02} {:02}:{:02}", jst.hour(), jst.minute()),
    }
}

/// p_attain in words.
pub fn p_attain_sentence(lang: Lang, p: f64) -> String {
    let percent = (p * 100.0).round();
    match lang {
        Lang::Ja => {
            format!("現在のペースが続くと、期間末までに目標に達する確率は約{percent:.0}%です。")
        }
        Lang::En => format!(
            "If the current pace continues, the chance of reaching the target by the end of the period is about {percent:.0}%."
        ),
    }
}

/// The line under a project card's counts: A・達成の割合: 58%（評価対象の指標12件中7件）.
pub fn share_line(lang: Lang, share: &str, part: usize, whole: usize) -> String {
    match lang {
        Lang::Ja => format!("A・達成の割合: {share}（評価対象の指標{whole}件中{part}件）"),
        Lang::En => format!("Rated A or achieved: {share} ({part} of {whole} rated indicators)"),
    }
}

/// How many rows an upload recorded: 3件を取り込み、一時保存しました.
pub fn upload_imported(lang: Lang, n: &str) -> String {
    match lang {
        Lang::Ja => format!("{n}件を取り込み、一時保存しました。"),
        Lang::En => format!("Imported {n} values as drafts"),
    }
}

/// A value of an upload changed after its preview: who changed it and when (the time as
/// [`date_time`] shows it), the value the preview showed (None: not reported then) and the
/// value now.
pub fn upload_changed(lang: Lang, by: &str, at: &str, old: Option<&str>, new: &str) -> String {
    let at = date_time(lang, at);
    match (lang, old) {
        (Lang::Ja, Some(old)) => {
            format!("{at}に{by}さんが値を「{old}」から「{new}」に変更しました。")
        }
        (Lang::Ja, None) => {
            format!("確認したときは未報告でしたが、{at}に{by}さんが「{new}」を入力しました。")
        }
        (Lang::En, Some(old)) => format!("{by} changed the value from “{old}” to “{new}” at {at}."),
        (Lang::En, None) => {
            format!("Not reported when checked; {by} entered “{new}” at {at}.")
        }
    }
}

/// The target of an indicator several bodies report, with the body's share: 25件（うち本機関 5件）.
pub fn entry_target_share(lang: Lang, target: &str, share: &str) -> String {
    match lang {
        Lang::Ja => format!("{target}（うち本機関分 {share}）"),
        Lang::En => format!("{target} (this body's share: {share})"),
    }
}

/// After a form saved values: 「〇〇の値を保存しました。」, or 「〇〇ほか2件の値を保存しました。」.
pub fn entry_saved_notice(lang: Lang, name: &str, n: usize) -> String {
    match (lang, n) {
        (Lang::Ja, 0 | 1) => format!("{name}の値を保存しました。"),
        (Lang::Ja, n) => format!("{name}ほか{}件の値を保存しました。", n - 1),
        (Lang::En, 0 | 1) => format!("The value of {name} was saved. "),
        (Lang::En, n) => format!("The values of {name} and {} more were saved. ", n - 1),
    }
}

/// After submitting: 「令和6年度の実績 12件を提出しました。」.
pub fn entry_submitted_notice(lang: Lang, fy: &str, n: usize) -> String {
    match lang {
        Lang::Ja => format!("{fy}の実績 {n}件を提出しました。事務局の承認をお待ちください。"),
        Lang::En => {
            format!("Submitted {n} values of {fy}; they now await the secretariat's approval.")
        }
    }
}

/// What submitting does, for its confirmation.
pub fn entry_submit_consequence(lang: Lang, fy: &str, n: usize) -> String {
    match lang {
        Lang::Ja => format!(
            "{fy}の実績 {n}件を提出します。提出後は事務局の承認・差戻しまで変更できません。"
        ),
        Lang::En => format!(
            "{n} values of {fy} will be submitted. They cannot be changed until the secretariat approves or returns them."
        ),
    }
}

/// The confirmation of a submission says the values typed are saved already.
pub fn entry_submit_saved_detail(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Ja => format!("入力した値 {n}件は一時保存しました。"),
        Lang::En => format!("The {n} values typed have been saved."),
    }
}

/// What approving every value shown does: 「令和6年度の実績 12件を承認します。」.
pub fn approval_all_consequence(lang: Lang, fy: Option<&str>, n: usize) -> String {
    match (lang, fy) {
        (Lang::Ja, Some(fy)) => format!("{fy}の実績 {n}件を承認します。"),
        (Lang::Ja, None) => format!("表示中の実績 {n}件（すべての年度）を承認します。"),
        (Lang::En, Some(fy)) => format!("{n} values of {fy} will be approved."),
        (Lang::En, None) => format!("The {n} values shown (all years) will be approved."),
    }
}

/// What locking a year does: 「令和6年度の承認済みの実績をすべて確定します（承認待ち 0件）。」.
pub fn approval_lock_consequence(lang: Lang, fy: &str, approved: usize) -> String {
    match lang {
        Lang::Ja => format!("{fy}の承認済みの実績 {approved}件を確定します。"),
        Lang::En => format!("The {approved} approved values of {fy} will be locked."),
    }
}

/// A body user's upload names another body.
pub fn upload_other_body(lang: Lang, body: &str) -> String {
    match lang {
        Lang::Ja => {
            format!("報告機関「{body}」の値は入力できません（自機関の値だけを取り込めます）")
        }
        Lang::En => format!("You cannot enter values for the body “{body}” (only your own body’s)"),
    }
}

/// The indicator is not assigned to the row's body (or not to the user's).
pub fn upload_not_assigned(lang: Lang, indicator: &str, body: &str) -> String {
    match lang {
        Lang::Ja => format!("指標「{indicator}」は報告機関「{body}」の担当ではありません"),
        Lang::En => format!("The indicator “{indicator}” is not assigned to the body “{body}”"),
    }
}

/// An upload had more errors than the page lists: the first `shown` of `total`.
pub fn upload_more_errors(lang: Lang, shown: usize, total: usize) -> String {
    let more = total.saturating_sub(shown);
    match lang {
        Lang::Ja => format!(
            "エラーは全部で {total} 件あります。最初の {shown} 件だけを表示しています（ほか {more} 件）。下の表の誤りを直してから、もう一度取り込んでください（残りの誤りはその際に表示されます）。"
        ),
        Lang::En => format!(
            "The file has {total} errors in all; only the first {shown} are listed ({more} more). Fix those below and upload the file again (the rest are listed then)."
        ),
    }
}

/// Who is signed in, in the page header: tanaka（事務局）, tanaka (Secretariat).
pub fn signed_in_as(lang: Lang, name: &str, role: Role) -> String {
    match lang {
        Lang::Ja => format!("サインイン中: {name}（{}）", role_label(lang, role)),
        Lang::En => format!("Signed in as {name} ({})", role_label(lang, role)),
    }
}

/// What a password reset did to the user's API tokens, on the users page.
pub fn tokens_revoked(lang: Lang, name: &str, n: usize) -> String {
    match (lang, n) {
        (Lang::Ja, 0) => format!("ユーザー「{name}」に有効な API トークンはありませんでした。"),
        (Lang::Ja, n) => {
            format!("ユーザー「{name}」の API トークン{n}件をすべて失効させました。")
        }
        (Lang::En, 0) => format!("{name} had no valid API tokens."),
        (Lang::En, n) => format!("All {n} API tokens of {name} were revoked."),
    }
}

/// What the chart shows, for screen readers.
pub fn chart_description(lang: Lang, first: FiscalYear, last: FiscalYear) -> String {
    match lang {
        Lang::Ja => format!(
            "{}から{}までの実績、期待値と目標の折れ線グラフ",
            first.wareki(),
            last.wareki()
        ),
        Lang::En => format!(
            "Line chart of the actual, the expected value and the target from {first} to {last}"
        ),
    }
}

/// A `YYYY-MM-DD` date as the page's language writes it (令和4年4月1日 in Japanese); any other
/// text as it is.
pub fn date_label(lang: Lang, date: &str) -> String {
    let parts: Vec<&str> = date.split('-').collect();
    match (lang, parts.as_slice()) {
        (Lang::Ja, [y, m, d]) => match (y.parse(), m.parse(), d.parse()) {
            (Ok(y), Ok(m @ 1..=12), Ok(d @ 1..=31)) => wareki_date(y, m, d),
            _ => date.to_owned(),
        },
        _ => date.to_owned(),
    }
}

/// Refusal of an annex text longer than pdca reads at once.
pub fn draft_too_long(lang: Lang, max: usize) -> String {
    match lang {
        Lang::Ja => format!(
            "本文が長すぎます（{max}文字まで）。成果目標の一覧の部分だけを貼り付けてください。"
        ),
        Lang::En => {
            format!("The text is too long (at most {max} characters): paste the KPI annex only.")
        }
    }
}

/// Refusal of a new plan's id that is already used.
pub fn draft_id_taken(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Ja => format!(
            "計画 ID「{id}」はすでに登録されています。改定として登録するか、別の ID にしてください。"
        ),
        Lang::En => format!(
            "The plan id “{id}” is already in use: save a revision of it, or choose another id."
        ),
    }
}

/// Refusal of an effective year outside what the plan allows.
pub fn draft_effective_outside(lang: Lang, plan: &pdca_core::Plan) -> String {
    let from = fiscal_year(lang, plan.effective_from.max(plan.period.start));
    let to = fiscal_year(lang, plan.period.end);
    match lang {
        Lang::Ja => format!(
            "適用開始年度は、{from}から{to}までの年度にしてください（計画期間内で、いまの版の適用開始より前にはできません）。"
        ),
        Lang::En => format!(
            "The effective year must lie between {from} and {to} (inside the period, not before the revision in force)."
        ),
    }
}

/// What saving a drafted plan does, said before the button.
pub fn draft_consequence(
    lang: Lang,
    plan: &pdca_core::Plan,
    revision: bool,
    changes: usize,
    indicators: usize,
) -> String {
    let from = fiscal_year(lang, plan.effective_from);
    match (lang, revision) {
        (Lang::Ja, true) => format!(
            "「この内容で登録する」を押すと、{}（{}）の第{}版として登録し、{from}以降の実績はこの版で評価します。変更は{changes}件です。登録した版は消せません（直すときは次の版を登録します）。",
            plan.name, plan.id, plan.revision
        ),
        (Lang::Ja, false) => format!(
            "「この内容で登録する」を押すと、新しい計画 {}（{}）を指標{indicators}件で登録します。登録した計画は消せません（直すときは次の版を登録します）。",
            plan.name, plan.id
        ),
        (Lang::En, true) => format!(
            "Saving registers revision {} of {} ({}); results from {from} on are evaluated with it. {changes} changes. A saved revision cannot be deleted (a correction is the next revision).",
            plan.revision, plan.name, plan.id
        ),
        (Lang::En, false) => format!(
            "Saving registers the new plan {} ({}) with {indicators} indicators. A saved plan cannot be deleted (a correction is the next revision).",
            plan.name, plan.id
        ),
    }
}

/// The message after a plan file was saved as a new plan.
pub fn plan_created(lang: Lang, id: &str, revision: u32) -> String {
    match lang {
        Lang::Ja => format!("計画「{id}」を新しく登録しました（版 {revision}）。"),
        Lang::En => format!("The plan “{id}” was created (revision {revision})."),
    }
}

/// The message after a plan file was saved as a new revision.
pub fn plan_new_revision(lang: Lang, id: &str, revision: u32) -> String {
    match lang {
        Lang::Ja => format!("計画「{id}」の新しい版 {revision} を保存しました。"),
        Lang::En => format!("Revision {revision} of the plan “{id}” was saved."),
    }
}

/// A revision's name: 第2版, Revision 2.
pub fn plan_revision_label(lang: Lang, revision: u32) -> String {
    match lang {
        Lang::Ja => format!("第{revision}版"),
        Lang::En => format!("Revision {revision}"),
    }
}

/// What the changes page compares: 「第1版から第2版への変更です。」
pub fn plan_changes_between(lang: Lang, from: u32, to: u32) -> String {
    match lang {
        Lang::Ja => format!("第{from}版から第{to}版への変更です。"),
        Lang::En => format!("Changes from revision {from} to revision {to}."),
    }
}

/// The message after a plan file equal to a saved revision was imported again.
pub fn plan_unchanged(lang: Lang, id: &str, revision: u32) -> String {
    match lang {
        Lang::Ja => {
            format!("計画「{id}」の版 {revision} は保存済みで、内容も同じです。変更はありません。")
        }
        Lang::En => format!(
            "Revision {revision} of the plan “{id}” is already saved with the same content; nothing changed."
        ),
    }
}

/// A round's state: 実績収集中, Collecting reports, ….
pub fn round_state_label(lang: Lang, state: pdca_core::follow_up::RoundState) -> &'static str {
    use pdca_core::follow_up::RoundState;
    match lang {
        Lang::Ja => state.label_ja(),
        Lang::En => match state {
            RoundState::Collecting => "Collecting reports",
            RoundState::Meeting1 => "Meeting ① (report and evaluation)",
            RoundState::Meeting2 => "Meeting ② (priorities and resource allocation policy)",
            RoundState::Closed => "Closed",
        },
    }
}

/// What a round item is: 顕著な成果, Notable result, ….
pub fn item_kind_label(lang: Lang, kind: pdca_core::follow_up::ItemKind) -> &'static str {
    use pdca_core::follow_up::ItemKind;
    match lang {
        Lang::Ja => kind.label_ja(),
        Lang::En => match kind {
            ItemKind::NotableResult => "Notable results",
            ItemKind::PriorityItem => "Priority items for next year",
            ItemKind::Opinion => "Opinions",
            ItemKind::PriorityMeasure => "Bodies' priority measures for next year",
            ItemKind::PolicyClause => "Resource allocation policy",
            ItemKind::ClauseStatus => "Status of last year's clauses",
            ItemKind::RevisionProposal => "Proposals to revise the plan",
        },
    }
}

/// A date in the page's language: 令和7年5月20日, 2025-05-20.
pub fn date(lang: Lang, date: time::Date) -> String {
    match lang {
        Lang::Ja => pdca_core::follow_up::date_wareki(date),
        Lang::En => date.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shown_in_japan_time_and_wareki() {
        assert_eq!(
            date_time(Lang::Ja, "2023-06-13T05:05:00Z"),
            "令和5年6月13日 14:05"
        );
        // 2019-04-30 15:00 UTC is already 令和元年5月1日 in Japan.
        assert_eq!(
            date_time(Lang::Ja, "2019-04-30T15:00:00Z"),
            "令和元年5月1日 00:00"
        );
        assert_eq!(
            date_time(Lang::En, "2023-06-13T05:05:00Z"),
            "2023-06-13 14:05"
        );
        assert_eq!(date_time(Lang::Ja, "yesterday"), "yesterday");
    }

    #[test]
    fn p_attain_reads_as_a_sentence() {
        assert_eq!(
            p_attain_sentence(Lang::Ja, 0.8312),
            "現在のペースが続くと、期間末までに目標に達する確率は約83%です。"
        );
    }

    #[test]
    fn both_languages_fill_every_text() {
        // The macro makes a missing text a compile error; an empty one is a mistake too.
        let ja = format!("{JA:?}");
        let en = format!("{EN:?}");
        assert!(!ja.contains(": \"\"") && !en.contains(": \"\""));
    }
}
