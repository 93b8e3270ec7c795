//! The `gatehouse` binary itself: settings errors, `user add`, `demo`.
use std::io::Write;
use std::process::{Command, Stdio};

fn gatehouse(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("GATEHOUSE_BIND")
        .env_remove("GATEHOUSE_SESSION_KEY")
        .env_remove("GATEHOUSE_PUBLIC_URL")
        .env("RUST_LOG", "error");
    command
}

#[test]
fn a_bad_setting_stops_gatehouse_with_one_line_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = gatehouse(dir.path())
        .env("GATEHOUSE_BIND", "not-an-address")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("GATEHOUSE_BIND"), "{stderr}");
}

#[test]
fn help_names_every_setting_and_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let output = gatehouse(dir.path()).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for name in [
        "GATEHOUSE_BIND",
        "DATABASE_URL",
        "GATEHOUSE_SESSION_KEY",
        "GATEHOUSE_PUBLIC_URL",
        "GATEHOUSE_SESSION_IDLE_MINUTES",
        "GATEHOUSE_TRUSTED_PROXY",
        "serve",
        "migrate",
        "user",
        "demo",
    ] {
        assert!(help.contains(name), "--help does not mention {name}");
    }
}

#[test]
fn user_add_reads_the_password_from_stdin_and_demo_needs_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = gatehouse(dir.path())
        .args([
            "user",
            "add",
            "--upn",
            "Admin1@woodgrove.test",
            "--name",
            "Admin1",
            "--role",
            "global-admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery staple\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("Created Admin1 (admin1@woodgrove.test), Global administrator.")
    );
    assert!(
        dir.path().join("gatehouse.db").exists(),
        "the default SQLite file in the working directory"
    );

    let demo = gatehouse(dir.path()).arg("demo").output().unwrap();
    assert_eq!(demo.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&demo.stderr).contains("only loads into an empty database"));
}

#[test]
fn demo_loads_the_tutorials_directory_and_prints_passwords_once() {
    let dir = tempfile::tempdir().unwrap();
    let output = gatehouse(dir.path()).arg("demo").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    for words in [
        "Admin1",
        "admin1@woodgrove.test",
        "Global administrator",
        "User1",
        "user1@woodgrove.test",
        "Engineering Group",
    ] {
        assert!(stdout.contains(words), "{stdout}");
    }
    assert_eq!(stdout.matches("password: ").count(), 2);
}

#[test]
fn a_short_password_is_refused_by_user_add() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = gatehouse(dir.path())
        .args([
            "user",
            "add",
            "--upn",
            "user1@woodgrove.test",
            "--name",
            "User1",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 12 characters"));
}
