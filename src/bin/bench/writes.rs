//! Request submission and approval under load: signed-in people post `Request` on packages
//! open to every member, then the approver's sessions post `Approve` on what they asked for,
//! each through the portal's own forms (CSRF token and all).
use std::time::{Duration, Instant};

use anyhow::Context;
use gatehouse::entities::{assignment, assignment_policy, assignment_request, user};
use gatehouse::ids::{AccessPackageId, PolicyId, RequestId, UserId};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::load::{self, Figures};

/// A form's CSRF token, read from a page that has one.
async fn token(client: &reqwest::Client, url: &str) -> anyhow::Result<String> {
    let page = client.get(url).send().await?.text().await?;
    Ok(page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .with_context(|| format!("no CSRF token on {url}"))?
        .to_owned())
}

/// A form to post: where, and its fields.
type Form = (String, Vec<(&'static str, String)>);

/// Posts each client's forms one after the other until they run out or `length` passes;
/// an answer other than `303 See Other` (the portal's "done, go here") is an error.
async fn post_all(
    jobs: Vec<(reqwest::Client, Vec<Form>)>,
    length: Duration,
) -> anyhow::Result<Figures> {
    let start = Instant::now();
    let deadline = start + length;
    let mut tasks = Vec::new();
    for (client, forms) in jobs {
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0usize;
            for (url, form) in forms {
                if Instant::now() >= deadline {
                    break;
                }
                let sent = Instant::now();
                match client.post(&url).form(&form).send().await {
                    Ok(answer) if answer.status() == reqwest::StatusCode::SEE_OTHER => {
                        times.push(sent.elapsed());
                    }
                    Ok(answer) => {
                        if errors == 0 {
                            eprintln!("{url} answered {}", answer.status());
                        }
                        errors += 1;
                    }
                    Err(_) => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    load::gather(tasks, start).await
}

/// Submits requests from `people` people (from user number 20,000 on, or the last ones of a
/// small directory) for open packages they neither hold nor wait for, then approves them all.
pub async fn submit_and_approve(
    db: &DatabaseConnection,
    base: &str,
    approvers: &[reqwest::Client],
    (people, users): (usize, usize),
    password: &str,
    length: Duration,
) -> anyhow::Result<(Figures, Figures)> {
    let open: Vec<(PolicyId, AccessPackageId)> = assignment_policy::Entity::find()
        .select_only()
        .column(assignment_policy::Column::Id)
        .column(assignment_policy::Column::AccessPackageId)
        .filter(assignment_policy::Column::AllowedTargetScope.eq("allMemberUsers"))
        .into_tuple()
        .all(db)
        .await?;
    let mut jobs = Vec::new();
    let first = 20_000usize.min(users.saturating_sub(people));
    for n in first..first + people {
        let upn = format!("user{n:06}@bench.test");
        let Some(id) = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::UserPrincipalName.eq(upn.as_str()))
            .into_tuple::<UserId>()
            .one(db)
            .await?
        else {
            continue;
        };
        let mut held: Vec<AccessPackageId> = assignment::Entity::find()
            .select_only()
            .column(assignment::Column::AccessPackageId)
            .filter(assignment::Column::TargetId.eq(id))
            .into_tuple()
            .all(db)
            .await?;
        held.extend(
            assignment_request::Entity::find()
                .select_only()
                .column(assignment_request::Column::AccessPackageId)
                .filter(assignment_request::Column::TargetId.eq(id))
                .filter(assignment_request::Column::State.eq("pendingApproval"))
                .into_tuple::<AccessPackageId>()
                .all(db)
                .await?,
        );
        let client = load::sign_in(base, &upn, password).await?;
        // Each person starts at another place in the list, so that no two ask for the same
        // package at the same moment more than chance makes them.
        let shift = (n - first) * 37 % open.len().max(1);
        let mut forms = Vec::new();
        let mut csrf = None;
        for (policy, package) in open.iter().cycle().skip(shift).take(open.len()) {
            if held.contains(package) {
                continue;
            }
            let url = format!("{base}/myaccess/access-packages/{package}");
            if csrf.is_none() {
                csrf = Some(token(&client, &url).await?);
            }
            forms.push((
                url,
                vec![
                    ("csrf_token", csrf.clone().unwrap_or_default()),
                    ("policy", policy.to_string()),
                    ("justification", "Benchmark".to_owned()),
                    ("specific_period", "no".to_owned()),
                ],
            ));
        }
        jobs.push((client, forms));
    }
    let submitted = post_all(jobs, length).await?;

    let waiting: Vec<RequestId> = assignment_request::Entity::find()
        .select_only()
        .column(assignment_request::Column::Id)
        .filter(assignment_request::Column::State.eq("pendingApproval"))
        .filter(assignment_request::Column::Justification.eq("Benchmark"))
        .into_tuple()
        .all(db)
        .await?;
    let mut jobs: Vec<_> = Vec::new();
    for client in approvers {
        let csrf = token(client, &format!("{base}/myaccess/access-packages")).await?;
        jobs.push((client.clone(), csrf, Vec::new()));
    }
    for (k, id) in waiting.iter().enumerate() {
        let (_, csrf, forms) = &mut jobs[k % approvers.len()];
        forms.push((
            format!("{base}/myaccess/approvals/{id}"),
            vec![
                ("csrf_token", csrf.clone()),
                ("decision", "Approve".to_owned()),
                ("reason", String::new()),
            ],
        ));
    }
    let approved = post_all(
        jobs.into_iter().map(|(c, _, f)| (c, f)).collect(),
        length * 4,
    )
    .await?;
    Ok((submitted, approved))
}
