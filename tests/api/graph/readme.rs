//! The README's API section works as written: its `curl` script for the tutorial's steps 2
//! to 6 runs against Gatehouse (with `curl` and `jq`), and User1 ends up with the access.
use std::io::Write;

use gatehouse::domain::principal::Scope;

use super::token;
use crate::helpers::spawn_app;

/// The README's script: the `sh` block after the line that introduces it.
fn readme_script() -> String {
    let readme = include_str!("../../../README.md");
    let after = readme
        .split("The tutorial's steps 2 to 6")
        .nth(1)
        .expect("the README introduces the tutorial's API script");
    let block = after
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("a sh block");
    block.to_owned()
}

#[tokio::test]
async fn the_readmes_curl_script_runs_the_tutorial() {
    let suite = "README API script (curl, jq)";
    let tools = ["curl", "jq"].iter().all(|tool| {
        std::process::Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !tools {
        assert!(
            std::env::var("GATEHOUSE_REAL_SERVERS").map_or(true, |v| v != "required"),
            "{suite}: curl and jq are needed"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {suite}: needs curl and jq (apt-get install curl jq)."
        );
        return;
    }
    let app = spawn_app().await;
    let super::People {
        admin1,
        user1,
        group,
    } = super::people(&app).await;
    let admin_token = token(
        &app,
        admin1,
        &[Scope::EntitlementManagementReadWrite, Scope::GroupRead],
    )
    .await;
    let user_token = token(&app, user1, &[Scope::EntitlementManagementReadWrite]).await;
    let script = readme_script().replace("http://127.0.0.1:8080", &app.address);
    let output = tokio::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .env("ADMIN", admin_token)
        .env("USER1", user_token)
        .env("GROUP", group.to_string())
        .env("USER1_ID", user1.to_string())
        .env("ADMIN1_ID", admin1.to_string())
        .output()
        .await
        .expect("bash runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the README's script failed:\n{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !printed.contains("\"error\""),
        "an answer was an error:\n{printed}"
    );
    let members = gatehouse::store::groups::members(&app.db, group)
        .await
        .expect("members");
    assert!(
        members.iter().any(|m| m.user_id == user1),
        "User1 is in the group:\n{printed}"
    );
    assert!(printed.contains("\"state\":\"delivered\""), "{printed}");
}
