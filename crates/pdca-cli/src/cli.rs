//! Command-line arguments and dispatch to the commands.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use pdca_core::FiscalYear;
use pdca_core::access::Role;

use crate::commands;

/// pdca — PDCA follow-up of an R&D plan's KPIs (医療分野研究開発推進計画のフォローアップ).
#[derive(Debug, Parser)]
#[command(name = "pdca", version, about)]
pub struct Cli {
    /// Database: a SQLite file path or sqlite://…, or postgres://…
    #[arg(long, global = true, env = "PDCA_DB", default_value = "pdca.sqlite3")]
    pub db: String,
    /// Who is acting, recorded with every change (default: the login name).
    #[arg(long, global = true, env = "PDCA_ACTOR", value_parser = single_line)]
    pub actor: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plans: list, show, export, validate, import, history, diff.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Actuals (実績): import, export, history.
    #[command(subcommand)]
    Actuals(ActualsCommand),
    /// Achievements (成果): import, list, duplicates, resolve.
    #[command(subcommand)]
    Achievements(AchievementsCommand),
    /// Reporting bodies and their indicator assignments.
    #[command(subcommand)]
    Body(BodyCommand),
    /// Evaluate every indicator of a plan as of a fiscal year.
    Evaluate {
        /// Plan id (may be left out while the database holds one plan).
        #[arg(long)]
        plan: Option<String>,
        /// The as-of fiscal year: 2022, FY2022, 令和4年度, R4.
        #[arg(long, value_parser = parse_fy)]
        as_of: FiscalYear,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
        format: EvalFormat,
        /// Also count values not approved yet (drafts, submitted, returned).
        #[arg(long)]
        include_unapproved: bool,
    },
    /// Follow-up rounds (フォローアップ): open, show, rate, advance, close, reopen, add items.
    #[command(subcommand)]
    Round(RoundCommand),
    /// Meetings of the committee (専門調査会): add, list, minutes.
    #[command(subcommand)]
    Meeting(MeetingCommand),
    /// The resource allocation policy (資源配分方針): add and list clauses.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Write the follow-up report of a round (PDF, XLSX or Markdown).
    Report {
        /// The round's result fiscal year.
        #[arg(long, value_parser = parse_fy)]
        round: FiscalYear,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// The format: pdf, xlsx or md.
        #[arg(long, value_parser = parse_report_format)]
        format: pdca_report::Format,
        /// The file to write (Markdown goes to standard output without it).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The material number on the cover (資料1).
        #[arg(long)]
        material: Option<String>,
    },
    /// Write a body's collection workbook (報告様式) for a fiscal year.
    Template {
        /// The reporting body.
        #[arg(long)]
        body: String,
        /// The fiscal year to report.
        #[arg(long, value_parser = parse_fy)]
        fy: FiscalYear,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// The workbook to write (.xlsx).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Write the open data set (the plan catalogue, the actuals and ratings of closed rounds).
    Publish {
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// The directory to write into (created if missing).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Accounts: add, list, disable, reset-password.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Serve the web application (on an empty database, first creates the secretariat account
    /// `admin` and prints its one-time password once).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PDCA_ADDR", default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Fill the database with the demo data set before serving.
        #[arg(long)]
        demo: bool,
        /// Mark session cookies Secure (when served over TLS, e.g. behind a TLS proxy).
        /// `PDCA_SECURE_COOKIES` takes 1/0, true/false, yes/no, on/off.
        #[arg(
            long,
            env = "PDCA_SECURE_COOKIES",
            value_parser = clap::builder::BoolishValueParser::new()
        )]
        secure_cookies: bool,
        /// Seconds a connection may take to send a request's header (also between requests on
        /// a kept-alive connection) before it is closed.
        #[arg(
            long,
            env = "PDCA_HEADER_TIMEOUT",
            default_value_t = 5,
            value_parser = clap::value_parser!(u64).range(1..=300)
        )]
        header_timeout: u64,
        /// The most connections served at once; further ones wait until one closes.
        #[arg(
            long,
            env = "PDCA_MAX_CONNECTIONS",
            default_value_t = 512,
            value_parser = clap::value_parser!(u32).range(1..=100_000)
        )]
        max_connections: u32,
        /// Minutes a session may go unused before it ends.
        #[arg(
            long,
            env = "PDCA_SESSION_IDLE_MINUTES",
            default_value_t = 30,
            value_parser = clap::value_parser!(u64).range(1..=1440)
        )]
        session_idle_minutes: u64,
        /// Hours after sign-in a session ends, however busy.
        #[arg(
            long,
            env = "PDCA_SESSION_HOURS",
            default_value_t = 12,
            value_parser = clap::value_parser!(u64).range(1..=168)
        )]
        session_hours: u64,
        /// How the log on standard error is written: text (for people) or json (one object a line).
        #[arg(long, env = "PDCA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
        /// A configuration file (TOML; see docs/configuration.md): its settings stand under the
        /// `PDCA_…` environment variables, which stand under the flags.
        #[arg(long, env = "PDCA_CONFIG")]
        config: Option<PathBuf>,
        /// Print the configuration in effect (the database password hidden) and exit.
        #[arg(long)]
        print_config: bool,
    },
    /// Fill the database with the deterministic demo data set (clearly labelled as demo).
    Demo {
        /// Plan id (default: the built-in plan).
        #[arg(long)]
        plan: Option<String>,
    },
    /// Write the whole database to a directory: one JSON Lines file per table and
    /// manifest.json (browser sessions and sign-in failure counters are left out).
    Export {
        /// The directory to write (created if missing; refused if it holds anything).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Read a directory `pdca export` wrote into an empty database (SQLite or PostgreSQL),
    /// keeping every id; all or nothing.
    Import {
        /// The directory `pdca export` wrote.
        dir: PathBuf,
    },
}

/// `pdca plan …`
#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// List the plans in the database.
    List,
    /// Show a plan's catalogue.
    Show {
        /// Plan id.
        plan: Option<String>,
        /// A past revision instead of the current one.
        #[arg(long)]
        revision: Option<u32>,
    },
    /// Export a plan's catalogue.
    Export {
        /// Plan id.
        plan: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportPlanFormat::Json)]
        format: ExportPlanFormat,
        /// A past revision instead of the current one.
        #[arg(long)]
        revision: Option<u32>,
        /// Where to write (standard output when left out; a workbook only to a pipe or file).
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// Check a plan file and report every problem with file, line and key (a workbook's by
    /// sheet, row and column).
    Validate {
        /// The plan file (TOML), or a plan workbook (.xlsx, as `plan export --format xlsx`).
        file: PathBuf,
    },
    /// Import a plan file (a new plan, or a new revision of one).
    Import {
        /// The plan file (TOML), or a plan workbook (.xlsx, as `plan export --format xlsx`).
        file: PathBuf,
    },
    /// List the revisions (一部変更) of a plan.
    History {
        /// Plan id.
        plan: Option<String>,
    },
    /// Compare two revisions of a plan: indicators added, removed, renamed and retargeted, in
    /// the plan's order (by default the previous revision against the current one).
    Diff {
        /// Plan id.
        plan: Option<String>,
        /// The earlier revision (default: the one before the current).
        #[arg(long)]
        from: Option<u32>,
        /// The later revision (default: the current one).
        #[arg(long)]
        to: Option<u32>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
        format: DiffFormat,
    },
    /// Draft a plan file from the text of its KPI annex (copied from the PDF or Word file, UTF-8).
    /// Lines not used are reported on standard error with the reason; exits 2 when some need a
    /// person (the file is still written, with # 要確認 above them).
    Draft {
        /// The annex as UTF-8 text.
        file: PathBuf,
        /// The plan's id (e.g. medical-rd-3).
        #[arg(long)]
        id: String,
        /// The plan's name.
        #[arg(long)]
        name: String,
        /// The first fiscal year of the plan's period.
        #[arg(long)]
        start_fy: FiscalYear,
        /// The last fiscal year of the plan's period.
        #[arg(long)]
        end_fy: FiscalYear,
        /// Where to write the plan file (standard output when left out).
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
}

/// `pdca actuals …`
#[derive(Debug, Subcommand)]
pub enum ActualsCommand {
    /// Import actuals from CSV (UTF-8 or Shift_JIS) or XLSX; any error imports nothing.
    Import {
        /// The file.
        file: PathBuf,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Check the file and show what would be imported, without importing.
        #[arg(long)]
        dry_run: bool,
        /// Record the values as drafts instead of approving them.
        #[arg(long)]
        draft: bool,
    },
    /// Export the current actuals.
    Export {
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Output format.
        #[arg(long, value_enum)]
        format: ActualsFormat,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Lock a fiscal year's approved values when its follow-up closes (refused while any value
    /// of the year awaits approval).
    Lock {
        /// The fiscal year to lock.
        #[arg(long, value_parser = parse_fy)]
        fy: FiscalYear,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Show every revision of an indicator's actuals (who, when, old → new).
    History {
        /// Indicator id.
        indicator: String,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Only this fiscal year.
        #[arg(long, value_parser = parse_fy)]
        fy: Option<FiscalYear>,
    },
}

/// `pdca achievements …` (acts as the secretariat).
#[derive(Debug, Subcommand)]
pub enum AchievementsCommand {
    /// Import an achievements list (成果一覧) from CSV (UTF-8 or Shift_JIS) or XLSX, approved
    /// unless --draft; any error imports nothing.
    Import {
        /// The file.
        file: PathBuf,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Check the file and show what would be imported, without importing.
        #[arg(long)]
        dry_run: bool,
        /// Record the achievements as drafts instead of approving them.
        #[arg(long)]
        draft: bool,
    },
    /// List the achievements (the current revision of each).
    List {
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Only this indicator's.
        #[arg(long)]
        indicator: Option<String>,
        /// Only this (fiscal or calendar) year's.
        #[arg(long, value_parser = parse_fy)]
        fy: Option<FiscalYear>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = AchievementListFormat::Table)]
        format: AchievementListFormat,
    },
    /// Show the possible duplicates (same 課題番号 and title, or same URL) and their decisions.
    Duplicates {
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DuplicatesFormat::Table)]
        format: DuplicatesFormat,
    },
    /// Record the decision on two achievements of one indicator: the same achievement (ID1 is
    /// the report that stands) or distinct ones. A later decision on the pair replaces it; the
    /// earlier one stays in the history.
    #[command(group(clap::ArgGroup::new("decision").required(true).args(["same", "distinct"])))]
    Resolve {
        /// The first achievement's id (with --same, the report that stands).
        id1: i64,
        /// The second achievement's id.
        id2: i64,
        /// The two are one achievement: count it once, as ID1.
        #[arg(long)]
        same: bool,
        /// The two are different achievements.
        #[arg(long)]
        distinct: bool,
        /// Why (required).
        #[arg(long, value_parser = reason_text)]
        reason: String,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
}

/// Formats of `achievements list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AchievementListFormat {
    /// Aligned table for a Japanese terminal.
    Table,
    /// JSON.
    Json,
    /// CSV (UTF-8 with BOM) in the import's columns, then id and state as reference columns.
    Csv,
}

/// Formats of `achievements duplicates`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DuplicatesFormat {
    /// Aligned table for a Japanese terminal.
    Table,
    /// JSON.
    Json,
}

/// A reason the secretariat gives: not blank, without control characters.
fn reason_text(text: &str) -> Result<String, String> {
    pdca_core::normalize::check_controls("理由", text, pdca_core::normalize::TextKind::MultiLine)
        .map_err(|e| e.to_string())?;
    let text = text.trim();
    if text.is_empty() {
        return Err("理由を書いてください（空にはできません）".to_owned());
    }
    Ok(text.to_owned())
}

/// `pdca round …`
#[derive(Debug, Subcommand)]
pub enum RoundCommand {
    /// Open the follow-up of result fiscal year FY (held during FY+1).
    Open {
        /// The result fiscal year: 2022, FY2022, 令和4年度, R4.
        #[arg(long, value_parser = parse_fy)]
        fy: FiscalYear,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// The bodies' reports are due on this day (default: April 30 of FY+1).
        #[arg(long)]
        deadline: Option<String>,
    },
    /// Show a round: state, every indicator's engine status and committee rating, findings,
    /// priority items, policy clauses, and what is missing for closing.
    Show {
        /// The result fiscal year.
        #[arg(long, value_parser = parse_fy)]
        fy: FiscalYear,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// List the plan's rounds.
    List {
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Record the committee's rating of an indicator (A, B or N); a rating that differs from
    /// the engine's proposal needs --reason; a B needs --issue and --solution before closing.
    Rate {
        /// The result fiscal year.
        #[arg(long, value_parser = parse_fy)]
        fy: FiscalYear,
        /// The indicator.
        indicator: String,
        /// A (順調に進捗している), B (進捗が不十分) or N (現時点で評価が困難).
        rating: String,
        /// Why the rating differs from the engine's proposal.
        #[arg(long)]
        reason: Option<String>,
        /// 課題.
        #[arg(long)]
        issue: Option<String>,
        /// 解決策.
        #[arg(long)]
        solution: Option<String>,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Move the round one step: collecting → meeting ① → meeting ②.
    Advance {
        /// The result fiscal year.
        #[arg(long, value_parser = parse_fy)]
        fy: FiscalYear,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Close the round (refused, listing what is missing, until complete); locks year FY.
    Close {
        /// The result fiscal year.
        #[arg(long, value_parser = parse_fy)]
        fy: FiscalYear,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Reopen a closed round, recording why.
    Reopen {
        /// The result fiscal year.
        #[arg(long, value_parser = parse_fy)]
        fy: FiscalYear,
        /// Why the round is reopened.
        #[arg(long)]
        reason: String,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Add an item: a notable result, priority item, opinion, priority measure, clause status
    /// or revision proposal (policy clauses: `pdca policy add`).
    Add {
        /// What the item is.
        #[arg(value_enum)]
        kind: ItemKindArg,
        /// The result fiscal year.
        #[arg(long, value_parser = parse_fy)]
        fy: FiscalYear,
        #[command(flatten)]
        item: ItemArgs,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Mark an item (an opinion) as reflected, or not with --no.
    Reflect {
        /// The item's number.
        item: i64,
        /// Mark it as not reflected.
        #[arg(long)]
        no: bool,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
    /// The committee's ratings per indicator per year over the plan period, with the counts.
    Matrix {
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

/// The texts and links of an item.
#[derive(Debug, clap::Args)]
pub struct ItemArgs {
    /// The text.
    #[arg(long)]
    pub text: String,
    /// A short title (required for priority items and policy clauses).
    #[arg(long)]
    pub title: Option<String>,
    /// 留意点 (priority items).
    #[arg(long)]
    pub points: Option<String>,
    /// The reporting body (priority measures, clause statuses).
    #[arg(long)]
    pub body: Option<String>,
    /// What the item is about, reflects or answers: a project id, an indicator id, or #n for
    /// another item; repeat for several.
    #[arg(long = "link")]
    pub links: Vec<String>,
    /// The meeting the item was raised at (its id from `pdca meeting list`).
    #[arg(long)]
    pub meeting: Option<i64>,
    /// The plan revision a revision proposal led to.
    #[arg(long)]
    pub plan_revision: Option<u32>,
}

/// Item kinds `pdca round add` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ItemKindArg {
    /// 顕著な成果 (link a project or indicator).
    NotableResult,
    /// 重点的に議論・提案すべき項目 (--title, --points).
    PriorityItem,
    /// 意見 (link an indicator, project or #item).
    Opinion,
    /// 次年度の取組の重点的事項 of a body (--body, link the priority items answered).
    PriorityMeasure,
    /// 対応状況 of last year's policy clause (--body, --link #clause).
    ClauseStatus,
    /// A proposal to revise the plan (--plan-revision once it led to one).
    RevisionProposal,
}

/// `pdca meeting …`
#[derive(Debug, Subcommand)]
pub enum MeetingCommand {
    /// Add a meeting; without --agenda the agenda is drafted from the round.
    Add {
        /// The meeting's number (第35回 is 35).
        #[arg(long)]
        number: u32,
        /// 1 (①: report and evaluation) or 2 (②: priorities and the policy).
        #[arg(long)]
        kind: String,
        /// The day, 2025-05-20.
        #[arg(long)]
        date: String,
        /// The round's result fiscal year.
        #[arg(long, value_parser = parse_fy)]
        fy: Option<FiscalYear>,
        /// The committee (default: the plan's).
        #[arg(long)]
        committee: Option<String>,
        /// An agenda item; repeat for several.
        #[arg(long = "agenda")]
        agenda: Vec<String>,
        /// A material, `資料2-1:title`; repeat for several.
        #[arg(long = "material")]
        materials: Vec<String>,
        /// A material's file, `資料2-1=path`; the material must be listed.
        #[arg(long = "file")]
        files: Vec<String>,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// List the meetings (ics: an iCalendar feed with the rounds' deadlines).
    List {
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = MeetingFormat::Text)]
        format: MeetingFormat,
    },
    /// Record a meeting's minutes.
    Minutes {
        /// The meeting's id.
        meeting: i64,
        /// The minutes' text.
        #[arg(long)]
        text: String,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
}

/// `pdca policy …`
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Add a clause to the resource allocation policy that round FY feeds.
    Add {
        /// The round's result fiscal year.
        #[arg(long, value_parser = parse_fy)]
        fy: FiscalYear,
        #[command(flatten)]
        item: ItemArgs,
        /// Programmes and budget lines affected (予算への反映).
        #[arg(long)]
        budget: Option<String>,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// List the policy clauses (of one round with --fy).
    List {
        /// The round's result fiscal year.
        #[arg(long, value_parser = parse_fy)]
        fy: Option<FiscalYear>,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
}

/// Formats of the follow-up commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Text for a Japanese terminal.
    Text,
    /// JSON.
    Json,
}

/// Formats of `meeting list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeetingFormat {
    /// Text for a Japanese terminal.
    Text,
    /// JSON.
    Json,
    /// iCalendar (.ics): the meetings and the rounds' collection deadlines.
    Ics,
}

/// `pdca body …`
#[derive(Debug, Subcommand)]
pub enum BodyCommand {
    /// List the plan's reporting bodies and what each reports.
    List {
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Assign an indicator to a body, optionally with its share of the target.
    Assign {
        /// Indicator id.
        indicator: String,
        /// Body id.
        body: String,
        /// The body's share of the target.
        #[arg(long)]
        share: Option<f64>,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
    /// Remove a body from an indicator.
    Unassign {
        /// Indicator id.
        indicator: String,
        /// Body id.
        body: String,
        /// Plan id.
        #[arg(long)]
        plan: Option<String>,
    },
}

/// `pdca user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. Without --password-stdin a one-time password is printed once.
    Add {
        /// Sign-in name.
        name: String,
        /// The account's role.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The reporting body (required for the body role).
        #[arg(long)]
        body: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List,
    /// Disable an account and end its sessions.
    Disable {
        /// Sign-in name.
        name: String,
    },
    /// Set a new password (one-time, printed once, unless --password-stdin).
    ResetPassword {
        /// Sign-in name.
        name: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// `pdca token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token acting as user NAME with that user's role; prints the token only.
    Create {
        /// The user the token acts as.
        name: String,
        /// A label to recognise the token by.
        #[arg(long)]
        label: Option<String>,
    },
}

fn parse_report_format(s: &str) -> Result<pdca_report::Format, String> {
    s.parse::<pdca_report::Format>().map_err(|e| e.to_string())
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|e| e.to_string())
}

/// Formats of `evaluate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// Aligned table for a Japanese terminal.
    Table,
    /// JSON.
    Json,
    /// CSV (UTF-8 with BOM).
    Csv,
}

/// Formats of `plan diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One line per change, for a Japanese terminal.
    Table,
    /// JSON.
    Json,
}

/// Formats of `plan export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportPlanFormat {
    /// JSON.
    Json,
    /// A plan workbook (計画・報告機関・用語・指標), importable with `plan import`.
    Xlsx,
}

/// Formats of `actuals export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActualsFormat {
    /// CSV (UTF-8 with BOM), importable as is.
    Csv,
    /// JSON with who and when.
    Json,
}

fn parse_fy(s: &str) -> Result<FiscalYear, String> {
    s.parse::<FiscalYear>().map_err(|e| e.to_string())
}

/// Parses the arguments and runs the command.
/// A name given on the command line (or in the environment) that is recorded as it is: no
/// control characters, as everywhere else ([`pdca_core::normalize::check_controls`]).
fn single_line(text: &str) -> Result<String, String> {
    pdca_core::normalize::check_controls("指定", text, pdca_core::normalize::TextKind::SingleLine)
        .map(|()| text.to_owned())
        .map_err(|e| e.to_string())
}

/// How `pdca serve` writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Lines for people.
    Text,
    /// One JSON object a line, for a log collector.
    Json,
}

pub fn run() -> anyhow::Result<ExitCode> {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    commands::config::apply_file(&mut cli, &matches)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(commands::run(cli))
}
