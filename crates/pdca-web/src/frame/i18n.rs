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
        "進捗が不十分（B）か、期間末までに目標に達する確率が50%未満の指標です。",
        "Indicators rated B (insufficient progress) or with less than a 50% chance of reaching the target by the end of the period."
    ),
    attention_none: ("要注意の指標はありません。", "No indicator needs attention."),
    projects_heading: ("統合プロジェクト", "Integrated projects"),
    open_project: ("指標の一覧", "All indicators"),
    legend_heading: ("評価の区分", "Ratings"),

    col_indicator: ("指標", "Indicator"),
    col_project: ("プロジェクト", "Project"),
    col_status: ("評価", "Rating"),
    col_p_attain: ("達成確率", "Chance of reaching the target"),
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
    p_attain_heading: ("達成の見込み", "Outlook"),
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

    audit_title: ("監査ログ", "Audit log"),
    audit_filters: ("絞り込み", "Filters"),
    audit_action: ("操作の種類", "Kind of change"),
    audit_action_any: ("すべて", "All"),
    audit_kind_plan: ("計画の登録・改定 (plan)", "Plans (plan)"),
    audit_kind_assignment: ("報告機関の割当て (assignment)", "Reporting assignments (assignment)"),
    audit_kind_user: ("アカウント (user)", "Accounts (user)"),
    audit_kind_token: ("API トークン (token)", "API tokens (token)"),
    audit_kind_actual: ("実績値の記録・承認 (actual)", "Actual values and approval (actual)"),
    audit_kind_actuals: ("実績値の一括記録 (actuals)", "Actuals recorded in bulk (actuals)"),
    audit_actor: ("操作者", "Actor"),
    audit_subject: ("対象（部分一致）", "Subject (contains)"),
    audit_apply: ("絞り込む", "Filter"),
    audit_none: ("該当する記録はありません。", "No entries match."),
    audit_read_only: (
        "監査ログは閲覧専用で、アプリケーションから編集・削除はできません。",
        "The audit log is read-only: it cannot be edited or deleted from the application."
    ),
    col_action: ("操作", "Action"),
    col_subject: ("対象", "Subject"),
    col_old_new: ("変更前 → 変更後", "Old → new"),

    tokens_title: ("API トークン", "API tokens"),
    tokens_intro: (
        "API トークンは、あなたと同じ役割で JSON API を利用するためのものです（Authorization: Bearer …）。",
        "An API token lets a program use the JSON API with your role (Authorization: Bearer …)."
    ),
    tokens_none: ("API トークンはまだありません。", "You have no API tokens yet."),
    token_name: ("トークンの名前", "Token name"),
    token_create: ("トークンを作成", "Create token"),
    token_created: ("作成日時", "Created"),
    token_last_used: ("最終使用", "Last used"),
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
        "変更した値は下書きとして保存されます。すべて入力したら「提出する」で事務局に提出してください。数値は ２５、1,234、25件 のようにも書けます。",
        "Changed values are saved as drafts. When everything is entered, submit them to the secretariat. Numbers may be written as ２５, 1,234 or 25件."
    ),
    entry_value: ("実績", "Value"),
    entry_numerator: ("分子", "Numerator"),
    entry_denominator: ("分母", "Denominator"),
    entry_narrative: ("状況（記述）", "Status (narrative)"),
    entry_source: ("出典", "Source"),
    entry_current: ("現在の値", "Current value"),
    entry_saved_by: ("保存した人", "Saved by"),
    entry_saved_here: ("保存しました", "Saved"),
    entry_save_button: ("下書きとして保存", "Save as draft"),
    entry_submit_button: ("提出する", "Submit"),
    entry_submit_explained: (
        "この年度の下書きと差戻しの値をすべて事務局に提出します。",
        "Submits every draft and returned value of this year to the secretariat."
    ),
    entry_saved: ("変更した値を下書きとして保存しました。", "The changed values were saved as drafts."),
    entry_submitted: ("事務局に提出しました。", "Submitted to the secretariat."),
    entry_nothing_to_submit: ("提出する下書きはありません。", "There are no drafts to submit."),
    entry_has_errors: (
        "入力に誤りがあります。各欄の下のメッセージを確認してください。保存はしていません。",
        "Some values are invalid; see the messages under the fields. Nothing was saved."
    ),
    entry_has_conflicts: (
        "他の人が先に保存した値があります。その値は保存していません。現在の値を確認してください。",
        "Someone else saved some values first; those were not saved. Check the current values."
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
        "まだ取り込んでいません。次の内容でよければ「取り込む」を押してください。すべて下書きとして保存されます。",
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
        "年度を選ぶと、その年度の値を確定できます。",
        "Choose a fiscal year to lock its values."
    ),
    approval_done_locked: ("{n}件を確定しました。", "Locked {n} values."),
    nav_rounds: ("フォローアップ", "Follow-up"),
    nav_tasks: ("タスク", "Tasks"),
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
    round_close: ("フォローアップを終了する（実績を確定）", "Close the round (locks the year's values)"),
    round_reopen: ("再開する", "Reopen"),
    round_reopen_reason: ("再開の理由", "Reason for reopening"),
    round_missing_heading: ("終了までに必要なこと", "Still missing before closing"),
    round_missing_items: ("件", " items"),
    round_complete: ("終了の条件を満たしています。", "Everything needed for closing is there."),
    round_ratings_heading: ("① 進捗状況と委員会の評価", "① Progress and the committee's ratings"),
    round_col_indicator: ("指標", "Indicator"),
    round_col_proposal: ("エンジンの提案", "Engine's proposal"),
    round_col_pace: ("ペース", "Pace"),
    round_col_rating: ("委員会の評価", "Committee rating"),
    round_col_reason: ("理由", "Reason"),
    round_col_issue: ("課題", "Issue"),
    round_col_solution: ("解決策", "Solution"),
    round_rate_button: ("評価を記録", "Record the rating"),
    round_rating_label: ("評価", "Rating"),
    round_item_text: ("本文", "Text"),
    round_item_title: ("表題", "Title"),
    round_item_points: ("留意点", "Points to note"),
    round_item_body: ("報告機関", "Reporting body"),
    round_item_links: ("対象・反映元（統合プロジェクトID、指標ID、#項目番号を空白区切り）", "About / reflects (project ids, indicator ids, #item numbers, separated by spaces)"),
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
    tasks_title: ("タスク", "Tasks"),
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
    open_data_explained: ("フォローアップが終了した年度の確定済みの実績と、専門調査会の評価（課題・解決策を含む）を公開しています。IDは計画の指標IDで、年度をまたいで変わりません。", "The locked actuals of the years whose follow-up has closed, and the committee's ratings (with issues and solutions). Ids are the plan's indicator ids and do not change between years."),
    open_data_schema: ("列の定義: docs/open-data.md、スキーマ版", "Columns: docs/open-data.md, schema version"),
    tasks_none: ("今のところタスクはありません。", "Nothing to do right now."),
    // -- frame: menu, confirmation, help (add frame texts here) --
    confirm_back: ("戻る", "Go back"),
    // -- progress: dashboard, project, indicator pages (add their texts here) --
    // -- actuals: entry, upload, approval (add their texts here) --
    // -- follow_up: rounds, round page, trace (add their texts here) --
    // -- tasks and home (add their texts here) --
    // -- accounts: users, tokens, audit log (add their texts here) --
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

/// How many rows an upload recorded: 3件を下書きとして取り込みました.
pub fn upload_imported(lang: Lang, n: &str) -> String {
    match lang {
        Lang::Ja => format!("{n}件を下書きとして取り込みました"),
        Lang::En => format!("Imported {n} values as drafts"),
    }
}

/// A value of an upload changed after its preview: who changed it and when (the time as
/// [`date_time`] shows it), and the version the preview showed.
pub fn upload_changed(lang: Lang, by: &str, at: &str, previewed: Option<i64>, now: i64) -> String {
    let at = date_time(lang, at);
    match (lang, previewed) {
        (Lang::Ja, Some(v)) => {
            format!("{at}に{by}が変更しました（確認時の版: {v}、現在の版: {now}）")
        }
        (Lang::Ja, None) => format!("{at}に{by}が入力しました（確認時は未報告、現在の版: {now}）"),
        (Lang::En, Some(v)) => {
            format!("Changed by {by} at {at} (version {v} when previewed, now {now})")
        }
        (Lang::En, None) => {
            format!("Entered by {by} at {at} (not reported when previewed, now version {now})")
        }
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
