//! `pdca body …`: reporting bodies and which indicators each reports, with shares.

use std::process::ExitCode;

use super::Session;
use super::plan::format_number;

pub async fn list(session: &Session, plan: Option<&str>) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    for body in &plan.bodies {
        let assigned: Vec<String> = plan
            .indicators()
            .filter_map(|(_, i)| {
                i.assignments
                    .iter()
                    .find(|a| a.body == body.id)
                    .map(|a| (i, a))
            })
            .map(|(i, a)| match a.share {
                Some(s) => format!("{}（分担 {}）", i.id, format_number(s)),
                None => i.id.clone(),
            })
            .collect();
        println!(
            "{}\t{}\t{}件\t{}",
            body.id,
            body.name,
            assigned.len(),
            assigned.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn assign(
    session: &Session,
    plan: Option<&str>,
    indicator: &str,
    body: &str,
    share: Option<f64>,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    if share.is_some_and(|s| !(s.is_finite() && s >= 0.0)) {
        anyhow::bail!("--share は0以上の数です");
    }
    session
        .store
        .set_assignment(&plan.id, indicator, body, share, &session.actor)
        .await?;
    println!("指標「{indicator}」の報告機関に「{body}」を設定しました");
    Ok(ExitCode::SUCCESS)
}

pub async fn unassign(
    session: &Session,
    plan: Option<&str>,
    indicator: &str,
    body: &str,
) -> anyhow::Result<ExitCode> {
    let plan = session.plan(plan).await?;
    session
        .store
        .remove_assignment(&plan.id, indicator, body, &session.actor)
        .await?;
    println!("指標「{indicator}」の報告機関から「{body}」を外しました");
    Ok(ExitCode::SUCCESS)
}
