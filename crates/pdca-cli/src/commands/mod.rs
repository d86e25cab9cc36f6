//! The commands: each module holds one command family and talks to the store and the core.

mod achievements;
mod actuals;
mod body;
pub mod config;
mod demo;
mod dump;
mod evaluate;
mod plan;
mod plan_workbook;
mod round;
mod serve;
mod user;

use std::process::ExitCode;

use anyhow::{Context, bail};
use pdca_core::Plan;
use pdca_core::builtin::{BUILTIN_PLAN_ID, builtin_plan};
use pdca_store::Store;

use crate::cli::{
    AchievementsCommand, ActualsCommand, BodyCommand, Cli, Command, MeetingCommand, PlanCommand,
    PolicyCommand, RoundCommand, TokenCommand, UserCommand,
};

/// What every command that touches the database needs.
pub struct Session {
    /// The open store.
    pub store: Store,
    /// Who acts, recorded with changes.
    pub actor: String,
}

impl Session {
    /// Opens the database, creating it and the built-in plan on first use (but not for
    /// `export` and `import`: an import needs an empty database, and an export reads only).
    async fn open(cli: &Cli) -> anyhow::Result<Self> {
        let store = Store::open(&cli.db)
            .await
            .with_context(|| format!("データベース {} を開けません", cli.db))?;
        let actor = cli
            .actor
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "cli".to_owned());
        let session = Session { store, actor };
        if !matches!(cli.command, Command::Export { .. } | Command::Import { .. }) {
            session.ensure_builtin_plan().await?;
        }
        Ok(session)
    }

    async fn ensure_builtin_plan(&self) -> anyhow::Result<()> {
        if self.store.plan(BUILTIN_PLAN_ID).await?.is_none() {
            let plan = builtin_plan().context("組み込み計画を読めません")?;
            self.store
                .save_plan(&plan, Some(pdca_core::builtin::BUILTIN_PLAN_TOML), "pdca")
                .await?;
        }
        Ok(())
    }

    /// The plan named, or the only plan when none is named.
    pub async fn plan(&self, id: Option<&str>) -> anyhow::Result<Plan> {
        let id = match id {
            Some(id) => id.to_owned(),
            None => {
                let plans = self.store.list_plans().await?;
                match plans.as_slice() {
                    [only] => only.id.clone(),
                    _ => bail!(
                        "データベースに計画が{}件あります。--plan で指定してください（{}）",
                        plans.len(),
                        plans
                            .iter()
                            .map(|p| p.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }
            }
        };
        self.store.plan(&id).await?.with_context(|| {
            format!("計画「{id}」はありません（pdca plan list で一覧を確認できます）")
        })
    }
}

/// Runs one parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Command::Serve {
        print_config: true, ..
    } = &cli.command
    {
        print!("{}", config::effective(&cli));
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Plan(PlanCommand::Validate { file }) = &cli.command {
        return plan::validate(file);
    }
    if let Command::Plan(PlanCommand::Draft {
        file,
        id,
        name,
        start_fy,
        end_fy,
        output,
    }) = &cli.command
    {
        return plan::draft(file, id, name, (*start_fy, *end_fy), output.as_deref());
    }
    let session = Session::open(&cli).await?;
    let result = match cli.command {
        Command::Plan(cmd) => match cmd {
            PlanCommand::List => plan::list(&session).await,
            PlanCommand::Show { plan, revision } => {
                plan::show(&session, plan.as_deref(), revision).await
            }
            PlanCommand::Export {
                plan,
                format,
                revision,
                output,
            } => {
                plan::export(
                    &session,
                    plan.as_deref(),
                    revision,
                    format,
                    output.as_deref(),
                )
                .await
            }
            PlanCommand::Validate { file } => plan::validate(&file),
            PlanCommand::Import { file } => plan::import(&session, &file).await,
            PlanCommand::History { plan } => plan::history(&session, plan.as_deref()).await,
            PlanCommand::Diff {
                plan,
                from,
                to,
                format,
            } => plan::diff(&session, plan.as_deref(), (from, to), format).await,
            PlanCommand::Draft {
                file,
                id,
                name,
                start_fy,
                end_fy,
                output,
            } => plan::draft(&file, &id, &name, (start_fy, end_fy), output.as_deref()),
        },
        Command::Actuals(cmd) => match cmd {
            ActualsCommand::Import {
                file,
                plan,
                dry_run,
                draft,
            } => actuals::import(&session, &file, plan.as_deref(), dry_run, draft).await,
            ActualsCommand::Export {
                plan,
                format,
                output,
            } => actuals::export(&session, plan.as_deref(), format, output.as_deref()).await,
            ActualsCommand::Lock { fy, plan } => actuals::lock(&session, fy, plan.as_deref()).await,
            ActualsCommand::History {
                indicator,
                plan,
                fy,
            } => actuals::history(&session, &indicator, plan.as_deref(), fy).await,
        },
        Command::Achievements(cmd) => match cmd {
            AchievementsCommand::Import {
                file,
                plan,
                dry_run,
                draft,
            } => achievements::import(&session, &file, plan.as_deref(), dry_run, draft).await,
            AchievementsCommand::List {
                plan,
                indicator,
                fy,
                format,
            } => {
                achievements::list(&session, plan.as_deref(), indicator.as_deref(), fy, format)
                    .await
            }
            AchievementsCommand::Duplicates { plan, format } => {
                achievements::duplicates(&session, plan.as_deref(), format).await
            }
            AchievementsCommand::Resolve {
                id1,
                id2,
                same,
                distinct: _,
                reason,
                plan,
            } => achievements::resolve(&session, plan.as_deref(), (id1, id2), same, &reason).await,
        },
        Command::Body(cmd) => match cmd {
            BodyCommand::List { plan } => body::list(&session, plan.as_deref()).await,
            BodyCommand::Assign {
                indicator,
                body,
                share,
                plan,
            } => body::assign(&session, plan.as_deref(), &indicator, &body, share).await,
            BodyCommand::Unassign {
                indicator,
                body,
                plan,
            } => body::unassign(&session, plan.as_deref(), &indicator, &body).await,
        },
        Command::Evaluate {
            plan,
            as_of,
            format,
            include_unapproved,
        } => evaluate::evaluate(&session, plan.as_deref(), as_of, format, include_unapproved).await,
        Command::Round(cmd) => match cmd {
            RoundCommand::Open { fy, plan, deadline } => {
                round::open(&session, plan.as_deref(), fy, deadline.as_deref()).await
            }
            RoundCommand::Show { fy, plan, format } => {
                round::show(&session, plan.as_deref(), fy, format).await
            }
            RoundCommand::List { plan, format } => {
                round::list(&session, plan.as_deref(), format).await
            }
            RoundCommand::Rate {
                fy,
                indicator,
                rating,
                reason,
                issue,
                solution,
                plan,
            } => {
                let args = round::RateArgs {
                    fy,
                    indicator: &indicator,
                    rating: &rating,
                    reason,
                    issue,
                    solution,
                };
                round::rate(&session, plan.as_deref(), args).await
            }
            RoundCommand::Advance { fy, plan } => {
                round::advance(&session, plan.as_deref(), fy).await
            }
            RoundCommand::Close { fy, plan } => round::close(&session, plan.as_deref(), fy).await,
            RoundCommand::Reopen { fy, reason, plan } => {
                round::reopen(&session, plan.as_deref(), fy, &reason).await
            }
            RoundCommand::Add {
                kind,
                fy,
                item,
                plan,
            } => round::add(&session, plan.as_deref(), fy, kind, item).await,
            RoundCommand::Reflect { item, no, plan } => {
                round::reflect(&session, plan.as_deref(), item, no).await
            }
            RoundCommand::Matrix { plan, format } => {
                round::matrix(&session, plan.as_deref(), format).await
            }
        },
        Command::Meeting(cmd) => match cmd {
            MeetingCommand::Add {
                number,
                kind,
                date,
                fy,
                committee,
                agenda,
                materials,
                files,
                plan,
                format,
            } => {
                let args = round::MeetingArgs {
                    number,
                    kind,
                    date,
                    fy,
                    committee,
                    agenda,
                    materials,
                    files,
                    format,
                };
                round::add_meeting(&session, plan.as_deref(), args).await
            }
            MeetingCommand::List { plan, format } => {
                round::list_meetings(&session, plan.as_deref(), format).await
            }
            MeetingCommand::Minutes {
                meeting,
                text,
                plan,
            } => round::minutes(&session, plan.as_deref(), meeting, &text).await,
        },
        Command::Policy(cmd) => match cmd {
            PolicyCommand::Add {
                fy,
                item,
                budget,
                plan,
                format,
            } => round::add_clause(&session, plan.as_deref(), fy, item, budget, format).await,
            PolicyCommand::List { fy, plan, format } => {
                round::list_clauses(&session, plan.as_deref(), fy, format).await
            }
        },
        Command::Report {
            round,
            plan,
            format,
            output,
            material,
        } => {
            let args = round::ReportArgs {
                fy: round,
                format,
                output,
                material,
            };
            round::report(&session, plan.as_deref(), args).await
        }
        Command::Template {
            body,
            fy,
            plan,
            output,
        } => actuals::template(&session, plan.as_deref(), &body, fy, &output).await,
        Command::Publish { plan, output } => {
            round::publish(&session, plan.as_deref(), &output).await
        }
        Command::User(cmd) => match cmd {
            UserCommand::Add {
                name,
                role,
                body,
                password_stdin,
            } => user::add(&session, &name, role, body.as_deref(), password_stdin).await,
            UserCommand::List => user::list(&session).await,
            UserCommand::Disable { name } => user::disable(&session, &name).await,
            UserCommand::ResetPassword {
                name,
                password_stdin,
            } => user::reset_password(&session, &name, password_stdin).await,
        },
        Command::Token(TokenCommand::Create { name, label }) => {
            user::create_token(&session, &name, label.as_deref()).await
        }
        Command::Demo { plan } => demo::demo(&session, plan.as_deref()).await,
        Command::Export { output } => dump::export(&session, &output).await,
        Command::Import { dir } => dump::import(&session, &dir).await,
        Command::Serve {
            addr,
            demo,
            secure_cookies,
            header_timeout,
            max_connections,
            session_idle_minutes,
            session_hours,
            log_format,
            config: _,
            print_config: _,
        } => {
            let options = serve::ServeOptions {
                addr,
                demo,
                secure_cookies,
                header_timeout: std::time::Duration::from_secs(header_timeout),
                max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
                session_idle: std::time::Duration::from_secs(session_idle_minutes * 60),
                session_absolute: std::time::Duration::from_secs(session_hours * 3600),
                log_format,
            };
            serve::serve(&session, &options).await
        }
    };
    session.store.close().await;
    result
}
