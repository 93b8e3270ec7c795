//! `scim2-tester` from PyPI, a compliance checker for SCIM servers, run against Gatehouse
//! (`tests/scim/check.py`; `.ci/run` installs it into `.ci/venv`). Every check it runs must
//! end without an error.
use std::io::Write;
use std::path::PathBuf;

use gatehouse::domain::principal::Principal;
use gatehouse::services::provisioning;

use crate::helpers::spawn_app_with;

fn python() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/venv/bin/python");
    let installed = std::process::Command::new(&venv)
        .args(["-c", "import scim2_tester, scim2_client.engines.httpx2"])
        .output()
        .is_ok_and(|o| o.status.success());
    installed.then_some(venv)
}

#[tokio::test]
async fn scim2_tester_finds_no_error() {
    let suite = "SCIM compliance (scim2-tester)";
    let Some(python) = python() else {
        assert!(
            std::env::var("GATEHOUSE_REAL_SERVERS").map_or(true, |v| v != "required"),
            "{suite}: scim2-tester is not installed (.ci/venv/bin/pip install scim2-tester 'scim2-client[httpx2]')"
        );
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {suite}: needs scim2-tester. Install it with `python3 -m venv .ci/venv && \
             .ci/venv/bin/pip install scim2-tester 'scim2-client[httpx2]'` (`.ci/run` does) and run cargo test again."
        );
        return;
    };
    // The resources' `meta.location` must be the address the checker reaches.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let app = spawn_app_with(|s| {
        s.bind = format!("127.0.0.1:{port}");
        s.public_url = Some(format!("http://127.0.0.1:{port}"));
    })
    .await;
    let token = super::token(&app, "scim2-tester").await;
    // The checker makes up user names (UUIDs): they get a domain.
    provisioning::set_upn_domain(&app.db, &app.clock, &Principal::console(), "scim.test")
        .await
        .expect("domain set");

    let base = format!("{}/scim/v2", app.address);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scim/check.py");
    let output = tokio::process::Command::new(python)
        .arg(script)
        .arg(&base)
        .arg(&token)
        .output()
        .await
        .expect("the checker runs");
    let report = String::from_utf8_lossy(&output.stdout);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "scim2-tester found errors:\n{report}\n{errors}"
    );
    assert!(report.contains("summary "), "{report}\n{errors}");
    assert!(
        !report.contains("ERROR") && !report.contains("CRITICAL"),
        "{report}"
    );
    let _ = writeln!(std::io::stderr(), "{suite}:\n{report}");
}
