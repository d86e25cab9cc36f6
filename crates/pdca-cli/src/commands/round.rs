//! `pdca round …`, `pdca meeting …` and `pdca policy …`: the follow-up cycle from the terminal.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use pdca_app::follow_up::{
    RoundView, calendar_ics, item_json, meeting_json, rating_matrix, round_json,
};
use pdca_core::follow_up::{
    ItemKind, Link, Material, MeetingKind, NewItem, NewRating, RoundState, default_schedule,
    draft_agenda, parse_date, parse_rating,
};
use pdca_core::{FiscalYear, Plan};
use pdca_store::NewMeeting;
use serde_json::json;

use super::Session;
use crate::cli::{ItemArgs, ItemKindArg, ListFormat, MeetingFormat};

fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

pub async fn open(
    session: &Session,
    plan: Option<&str>,
    fy: FiscalYear,
    deadline: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let deadline = match deadline {
        Some(text) => parse_date(text).context("--deadline")?,
        None => default_schedule(fy).deadline,
    };
    let round = session
        .store
        .open_round(&plan, fy, deadline, &session.actor)
        .await?;
    println!(
        "{}（{}）のフォローアップを開始しました。報告期限: {}（{}）",
        fy.wareki(),
        fy,
        pdca_core::follow_up::date_wareki(round.deadline),
        round.deadline
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn show(
    session: &Session,
    plan: Option<&str>,
    fy: FiscalYear,
    format: ListFormat,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let view = RoundView::load(&session.store, &plan.id, fy).await?;
    match format {
        ListFormat::Json => print_json(&round_json(&view))?,
        ListFormat::Text => print!("{}", round_text(&view)),
    }
    Ok(ExitCode::SUCCESS)
}

fn round_text(view: &RoundView) -> String {
    let round = &view.content.round;
    let (_, total) = view.counts();
    let mut out = format!(
        "{} {}（{}）のフォローアップ\n状態: {}\n報告期限: {}\n評価: {}（B {}、N {}、未評価 {}）\n",
        view.plan.name,
        round.fiscal_year.wareki(),
        round.fiscal_year,
        round.state.label_ja(),
        round.deadline,
        total.sentence(),
        total.b,
        total.n,
        total.unrated
    );
    for ((_, indicator), e) in view.plan.indicators().zip(&view.evaluation.indicators) {
        let rating = view.rating(&indicator.id);
        if indicator.management && rating.is_none() {
            continue;
        }
        out.push_str(&format!(
            "  {}\t提案 {}\t評価 {}\t{}\n",
            indicator.id,
            e.status.short_label(),
            rating.map_or("ー".to_owned(), |r| format!("{:?}", r.rating)),
            indicator.name
        ));
        if let Some(r) = rating {
            for (label, text) in [
                ("理由", &r.reason),
                ("課題", &r.issue),
                ("解決策", &r.solution),
            ] {
                if let Some(text) = text {
                    out.push_str(&format!("      {label}: {text}\n"));
                }
            }
        }
    }
    for kind in ItemKind::ALL {
        let items: Vec<_> = view.items(kind).collect();
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!("{}\n", kind.label_ja()));
        for item in items {
            let links: Vec<String> = item.links.iter().map(Link::to_string).collect();
            out.push_str(&format!(
                "  #{} {}{}{}\n",
                item.id,
                item.title
                    .as_ref()
                    .map_or(String::new(), |t| format!("【{t}】")),
                item.text,
                if links.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", links.join("、"))
                }
            ));
        }
    }
    if view.missing.is_empty() {
        out.push_str("終了の条件を満たしています\n");
    } else {
        out.push_str(&format!(
            "終了に不足している項目: {}件\n",
            view.missing.len()
        ));
        for m in &view.missing {
            out.push_str(&format!("  - {m}\n"));
        }
    }
    out
}

pub async fn list(
    session: &Session,
    plan: Option<&str>,
    format: ListFormat,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let rounds = session.store.rounds(&plan.id).await?;
    match format {
        ListFormat::Json => print_json(&json!(
            rounds
                .iter()
                .map(|r| json!({
                    "fiscal_year": r.fiscal_year,
                    "fiscal_year_ja": r.fiscal_year.wareki(),
                    "state": r.state,
                    "deadline": r.deadline.to_string(),
                }))
                .collect::<Vec<_>>()
        ))?,
        ListFormat::Text => {
            for r in &rounds {
                println!(
                    "{}\t{}\t{}\t報告期限 {}",
                    r.fiscal_year,
                    r.fiscal_year.wareki(),
                    r.state.label_ja(),
                    r.deadline
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The arguments of `round rate`.
pub struct RateArgs<'a> {
    pub fy: FiscalYear,
    pub indicator: &'a str,
    pub rating: &'a str,
    pub reason: Option<String>,
    pub issue: Option<String>,
    pub solution: Option<String>,
}

pub async fn rate(
    session: &Session,
    plan: Option<&str>,
    args: RateArgs<'_>,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let view = RoundView::load(&session.store, &plan.id, args.fy).await?;
    let rating = NewRating {
        indicator_id: args.indicator.to_owned(),
        rating: parse_rating(args.rating)?,
        reason: args.reason,
        issue: args.issue,
        solution: args.solution,
    }
    .validate(&view.plan, &view.evaluation)?;
    session
        .store
        .rate(&plan.id, args.fy, &rating, None, &session.actor)
        .await?;
    println!(
        "{}: {:?}（{}）と評価しました",
        rating.indicator_id,
        rating.rating,
        rating.rating.label()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn advance(
    session: &Session,
    plan: Option<&str>,
    fy: FiscalYear,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let state = session
        .store
        .advance_round(&plan.id, fy, &session.actor)
        .await?;
    println!("{}のフォローアップ: {}", fy.wareki(), state.label_ja());
    Ok(ExitCode::SUCCESS)
}

pub async fn close(
    session: &Session,
    plan: Option<&str>,
    fy: FiscalYear,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let in_force = match session.store.plan_history(&plan.id).await? {
        Some(history) => history.in_force(fy).clone(),
        None => plan,
    };
    let locked = session
        .store
        .close_round(&in_force, fy, &session.actor)
        .await?;
    println!(
        "{}のフォローアップを終了しました（{}の実績 {locked}件を確定）",
        fy.wareki(),
        fy.wareki()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn reopen(
    session: &Session,
    plan: Option<&str>,
    fy: FiscalYear,
    reason: &str,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    session
        .store
        .reopen_round(&plan.id, fy, reason, &session.actor)
        .await?;
    println!(
        "{}のフォローアップを再開しました（{}）",
        fy.wareki(),
        RoundState::Meeting2.label_ja()
    );
    Ok(ExitCode::SUCCESS)
}

fn item_kind(kind: ItemKindArg) -> ItemKind {
    match kind {
        ItemKindArg::NotableResult => ItemKind::NotableResult,
        ItemKindArg::PriorityItem => ItemKind::PriorityItem,
        ItemKindArg::Opinion => ItemKind::Opinion,
        ItemKindArg::PriorityMeasure => ItemKind::PriorityMeasure,
        ItemKindArg::ClauseStatus => ItemKind::ClauseStatus,
        ItemKindArg::RevisionProposal => ItemKind::RevisionProposal,
    }
}

fn new_item(
    plan: &Plan,
    kind: ItemKind,
    args: ItemArgs,
    budget: Option<String>,
) -> anyhow::Result<NewItem> {
    let links = args
        .links
        .iter()
        .map(|l| Link::parse(l, plan))
        .collect::<Result<Vec<_>, _>>()
        .context("--link")?;
    Ok(NewItem {
        kind: Some(kind),
        title: args.title,
        text: args.text,
        points: args.points,
        body_id: args.body,
        links,
        budget,
        meeting_id: args.meeting,
        plan_revision: args.plan_revision,
    })
}

async fn add_item(
    session: &Session,
    plan: Option<&str>,
    fy: FiscalYear,
    kind: ItemKind,
    args: ItemArgs,
    budget: Option<String>,
    format: ListFormat,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let (kind, item) = new_item(&plan, kind, args, budget)?.validate(&plan)?;
    let stored = session
        .store
        .add_item(&plan.id, fy, kind, &item, &session.actor)
        .await?;
    match format {
        ListFormat::Json => print_json(&item_json(&stored))?,
        ListFormat::Text => println!("#{} {}を追加しました", stored.id, kind.label_ja()),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn add(
    session: &Session,
    plan: Option<&str>,
    fy: FiscalYear,
    kind: ItemKindArg,
    args: ItemArgs,
) -> anyhow::Result<ExitCode> {
    add_item(
        session,
        plan,
        fy,
        item_kind(kind),
        args,
        None,
        ListFormat::Text,
    )
    .await
}

pub async fn reflect(
    session: &Session,
    plan: Option<&str>,
    item: i64,
    no: bool,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    session
        .store
        .set_item_reflected(&plan.id, item, !no, &session.actor)
        .await?;
    println!(
        "#{item} を{}にしました",
        if no { "未反映" } else { "反映済み" }
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn matrix(
    session: &Session,
    plan: Option<&str>,
    format: ListFormat,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let history = session.store.rating_history(&plan.id).await?;
    let matrix = rating_matrix(&plan, &history);
    match format {
        ListFormat::Json => print_json(&matrix)?,
        ListFormat::Text => {
            let years: Vec<FiscalYear> = history.iter().map(|(fy, _)| *fy).collect();
            println!(
                "ID\t{}",
                years
                    .iter()
                    .map(|y| y.wareki_short())
                    .collect::<Vec<_>>()
                    .join("\t")
            );
            for row in matrix["indicators"].as_array().into_iter().flatten() {
                let cells: Vec<String> = row["ratings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| r.as_str().unwrap_or("ー").to_owned())
                    .collect();
                println!(
                    "{}\t{}",
                    row["id"].as_str().unwrap_or_default(),
                    cells.join("\t")
                );
            }
            for year in matrix["years"].as_array().into_iter().flatten() {
                println!(
                    "{}: {}",
                    year["fiscal_year_ja"].as_str().unwrap_or_default(),
                    year["counts"]["sentence"].as_str().unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The arguments of `meeting add`.
pub struct MeetingArgs {
    pub number: u32,
    pub kind: String,
    pub date: String,
    pub fy: Option<FiscalYear>,
    pub committee: Option<String>,
    pub agenda: Vec<String>,
    pub materials: Vec<String>,
    pub files: Vec<String>,
    pub format: ListFormat,
}

pub async fn add_meeting(
    session: &Session,
    plan: Option<&str>,
    args: MeetingArgs,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let kind = MeetingKind::parse(&args.kind).context("--kind")?;
    let date = parse_date(&args.date).context("--date")?;
    let mut materials = args
        .materials
        .iter()
        .map(|m| Material::parse(m).map(|m| (m, None)))
        .collect::<Result<Vec<(Material, Option<Vec<u8>>)>, _>>()
        .context("--material")?;
    for file in &args.files {
        let Some((label, path)) = file.split_once('=') else {
            bail!("--file「{file}」は 資料2-1=path のように書いてください");
        };
        let label = pdca_core::normalize::normalize_text(label);
        let Some(entry) = materials.iter_mut().find(|(m, _)| m.label == label) else {
            bail!("--file の資料番号「{label}」が --material にありません");
        };
        let path = Path::new(path);
        let bytes =
            std::fs::read(path).with_context(|| format!("{} を読めません", path.display()))?;
        entry.0.file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        entry.1 = Some(bytes);
    }
    let agenda = if args.agenda.is_empty() {
        let items = match args.fy {
            Some(fy) => session.store.round_items(&plan.id, Some(fy)).await?,
            None => Vec::new(),
        };
        let fy = args.fy.unwrap_or(plan.period.start);
        draft_agenda(kind, &plan, fy, &items)
    } else {
        args.agenda
    };
    let committee = args
        .committee
        .or_else(|| plan.committee.clone())
        .unwrap_or_else(|| pdca_core::follow_up::DEFAULT_COMMITTEE.to_owned());
    let meeting = session
        .store
        .add_meeting(
            &NewMeeting {
                plan_id: plan.id.clone(),
                fiscal_year: args.fy,
                committee,
                number: args.number,
                kind,
                date,
                agenda,
                materials,
            },
            &session.actor,
        )
        .await?;
    match args.format {
        ListFormat::Json => print_json(&meeting_json(&meeting))?,
        ListFormat::Text => println!(
            "{}（{}、{}）を登録しました（id {}）",
            meeting.title(),
            kind.mark(),
            pdca_core::follow_up::date_wareki(meeting.date),
            meeting.id
        ),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn list_meetings(
    session: &Session,
    plan: Option<&str>,
    format: MeetingFormat,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let meetings = session.store.meetings(&plan.id).await?;
    match format {
        MeetingFormat::Json => print_json(&json!(
            meetings.iter().map(meeting_json).collect::<Vec<_>>()
        ))?,
        MeetingFormat::Ics => {
            let rounds = session.store.rounds(&plan.id).await?;
            print!("{}", calendar_ics(&plan, &rounds, &meetings));
        }
        MeetingFormat::Text => {
            for m in &meetings {
                println!("{}\t{}\t{}\t{}", m.id, m.date, m.title(), m.kind.mark());
                for line in &m.agenda {
                    println!("\t議題: {line}");
                }
                for material in &m.materials {
                    println!("\t{} {}", material.label, material.title);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn minutes(
    session: &Session,
    plan: Option<&str>,
    meeting: i64,
    text: &str,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    session
        .store
        .set_minutes(&plan.id, meeting, text, &session.actor)
        .await?;
    println!("会合 {meeting} の議事録を記録しました");
    Ok(ExitCode::SUCCESS)
}

pub async fn add_clause(
    session: &Session,
    plan: Option<&str>,
    fy: FiscalYear,
    args: ItemArgs,
    budget: Option<String>,
    format: ListFormat,
) -> anyhow::Result<ExitCode> {
    add_item(
        session,
        plan,
        fy,
        ItemKind::PolicyClause,
        args,
        budget,
        format,
    )
    .await
}

pub async fn list_clauses(
    session: &Session,
    plan: Option<&str>,
    fy: Option<FiscalYear>,
    format: ListFormat,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let clauses: Vec<_> = session
        .store
        .round_items(&plan.id, fy)
        .await?
        .into_iter()
        .filter(|i| i.kind == ItemKind::PolicyClause)
        .collect();
    match format {
        ListFormat::Json => print_json(&json!(clauses.iter().map(item_json).collect::<Vec<_>>()))?,
        ListFormat::Text => {
            for c in &clauses {
                let links: Vec<String> = c.links.iter().map(Link::to_string).collect();
                println!(
                    "#{}\t{}\t{}\t{}\t反映: {}{}",
                    c.id,
                    c.fiscal_year.wareki(),
                    c.title.as_deref().unwrap_or_default(),
                    c.text,
                    links.join("、"),
                    c.budget
                        .as_ref()
                        .map_or(String::new(), |b| format!("\t予算: {b}"))
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The arguments of `pdca report`.
pub struct ReportArgs {
    pub fy: FiscalYear,
    pub format: pdca_report::Format,
    pub output: Option<std::path::PathBuf>,
    pub material: Option<String>,
}

pub async fn report(
    session: &Session,
    plan: Option<&str>,
    args: ReportArgs,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    if args.output.is_none() && args.format != pdca_report::Format::Markdown {
        bail!(
            "{} 形式は -o でファイルを指定してください",
            args.format.as_str()
        );
    }
    let view = RoundView::load(&session.store, &plan.id, args.fy).await?;
    let report = view.report(args.material.as_deref());
    let bytes = args.format.render(&report)?;
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("{} に書き込めません", path.display()))?,
        None => {
            use std::io::Write as _;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `pdca publish -o DIR`: the open data set, as `/open-data/…` serves it.
pub async fn publish(
    session: &Session,
    plan: Option<&str>,
    output: &Path,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    let steps = crate::progress::Steps::start("オープンデータを作っています");
    let files = pdca_app::open_data::open_data_files(&session.store, &plan).await?;
    steps.step("ファイルに書き出しています");
    std::fs::create_dir_all(output)
        .with_context(|| format!("{} を作成できません", output.display()))?;
    for (name, bytes) in &files {
        let path = output.join(name);
        std::fs::write(&path, bytes)
            .with_context(|| format!("{} に書き込めません", path.display()))?;
    }
    drop(steps);
    println!(
        "計画「{}」のオープンデータ（{}）を {} に書き出しました",
        plan.id,
        files.iter().map(|(n, _)| *n).collect::<Vec<_>>().join("、"),
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}
