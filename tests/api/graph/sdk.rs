//! Real clients against the API, from PyPI (`.ci/run` installs them into `.ci/venv`):
//! Microsoft's own `msgraph-sdk` drives the tutorial (`tests/graph/tutorial.py`), and
//! `schemathesis` fuzzes every operation of `/openapi.json`: no 500, and every answer as
//! the document says.
use std::io::Write;
use std::path::PathBuf;

use gatehouse::domain::principal::Scope;

use super::token;
use crate::helpers::{TestApp, spawn_app_with};

fn venv(bin: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(".ci/venv/bin")
        .join(bin)
}

/// Whether `.ci/venv` has it; without it the test is skipped (and fails under `.ci/run`).
fn installed(suite: &str, check: &[&str], install: &str) -> bool {
    let ok = std::process::Command::new(venv("python"))
        .args(check)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("GATEHOUSE_REAL_SERVERS").map_or(true, |v| v != "required"),
            "{suite}: not installed ({install})"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {suite}: needs it in .ci/venv. Install it with `python3 -m venv .ci/venv && \
             .ci/venv/bin/pip install {install}` (`.ci/run` does) and run cargo test again."
        );
    }
    ok
}

/// Gatehouse on a port known in advance, so that the links it writes are the ones the
/// client follows.
async fn served(change: impl FnOnce(&mut gatehouse::config::Settings)) -> TestApp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    spawn_app_with(|s| {
        s.bind = format!("127.0.0.1:{port}");
        s.public_url = Some(format!("http://127.0.0.1:{port}"));
        change(s);
    })
    .await
}

#[tokio::test]
async fn microsofts_msgraph_sdk_runs_the_tutorial_against_gatehouse() {
    let suite = "Graph API with Microsoft's msgraph-sdk";
    if !installed(
        suite,
        &["-c", "import msgraph"],
        "-r tests/graph/requirements.txt",
    ) {
        return;
    }
    let app = served(|_| {}).await;
    let super::People {
        admin1,
        user1,
        group,
    } = super::people(&app).await;
    let admin_token = token(
        &app,
        admin1,
        &[
            Scope::EntitlementManagementReadWrite,
            Scope::UserRead,
            Scope::GroupReadWrite,
        ],
    )
    .await;
    let user_token = token(&app, user1, &[Scope::EntitlementManagementReadWrite]).await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/graph/tutorial.py");
    let output = tokio::process::Command::new(venv("python"))
        .arg(script)
        .env("GATEHOUSE_URL", &app.address)
        .env("ADMIN_TOKEN", admin_token)
        .env("USER_TOKEN", user_token)
        .env("ADMIN1_ID", admin1.to_string())
        .env("USER1_ID", user1.to_string())
        .env("GROUP_ID", group.to_string())
        .env("GRAPH_SETTLE_SECONDS", "0")
        .output()
        .await
        .expect("the SDK script runs");
    let report = String::from_utf8_lossy(&output.stdout);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the tutorial through msgraph-sdk failed:\n{report}\n{errors}"
    );
    assert!(report.contains(" passed, 0 failed"), "{report}");
    let _ = writeln!(std::io::stderr(), "{suite}:\n{report}");
}

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_answer_outside_the_document() {
    let suite = "Graph API fuzzed by schemathesis";
    if !installed(suite, &["-c", "import schemathesis"], "schemathesis") {
        return;
    }
    // No rate limit: the fuzzer sends thousands of calls with one token.
    let app = served(|s| s.api_calls_per_minute = "1000000".into()).await;
    let super::People {
        admin1: admin,
        user1,
        group,
    } = super::people(&app).await;
    let catalog = app.default_catalog().await;
    let package = app
        .create_package(catalog, "Web project access package", &[group])
        .await;
    app.create_policy(
        package,
        crate::builders::policy("Internal user policy", &[user1], &[admin]),
    )
    .await;
    app.submit_request(user1, package).await;
    let token = token(&app, admin, &Scope::ALL).await;
    let output = tokio::process::Command::new(venv("schemathesis"))
        .args(["run", &format!("{}/openapi.json", app.address)])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"])
        .args(["--max-examples", "25", "--generation-deterministic"])
        .args(["--workers", "1", "--request-timeout", "20"])
        .env("NO_COLOR", "1")
        .output()
        .await
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{report}\n{errors}"
    );
    let _ = writeln!(std::io::stderr(), "{suite}:\n{report}");
}
