//! Delivery to a real directory: a group governed in OpenLDAP gets many direct members, and
//! the outbox worker's rate of applied changes is timed. Needs Debian's `slapd`; without it
//! the benchmark says so and goes on.
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use gatehouse::clock::SystemClock;
use gatehouse::domain::connected::{SettingsInput, SystemKind, SystemName};
use gatehouse::domain::group::{Description, GroupName, MemberRole, MembershipType};
use gatehouse::domain::principal::Principal;
use gatehouse::entities::{outbox, user};
use gatehouse::ids::UserId;
use gatehouse::secrets::SecretBox;
use gatehouse::services::connected::{self, SecretChange, SystemInput};
use gatehouse::services::{groups, outbox as worker};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

const SUFFIX: &str = "dc=bench,dc=test";
const ROOT_DN: &str = "cn=admin,dc=bench,dc=test";
const ROOT_PASSWORD: &str = "bench directory secret";

/// The slapd that runs for the measurement, killed when dropped.
struct Directory {
    child: std::process::Child,
    _dir: tempfile_dir::Dir,
}

impl Drop for Directory {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

mod tempfile_dir {
    /// A folder removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn start_slapd(people: usize) -> anyhow::Result<Option<(Directory, String)>> {
    let (slapd, slapadd) = (Path::new("/usr/sbin/slapd"), Path::new("/usr/sbin/slapadd"));
    if !slapd.exists() || !slapadd.exists() {
        return Ok(None);
    }
    let dir = std::env::temp_dir().join(format!("gatehouse-bench-ldap-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("data"))?;
    let dir = tempfile_dir::Dir(dir);
    let conf = dir.0.join("slapd.conf");
    std::fs::write(
        &conf,
        format!(
            "include /etc/ldap/schema/core.schema\ninclude /etc/ldap/schema/cosine.schema\n\
             include /etc/ldap/schema/nis.schema\ninclude /etc/ldap/schema/inetorgperson.schema\n\
             pidfile {pid}\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\ndatabase mdb\n\
             maxsize 1073741824\nsuffix \"{SUFFIX}\"\nrootdn \"{ROOT_DN}\"\n\
             rootpw \"{ROOT_PASSWORD}\"\ndirectory {data}\nindex uid eq\n",
            pid = dir.0.join("slapd.pid").display(),
            data = dir.0.join("data").display(),
        ),
    )?;
    let mut ldif = format!(
        "dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Bench\ndc: bench\n\n\
         dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n\n\
         dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n\n\
         dn: cn=Delivery,ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: Delivery\n\
         member: cn=admin,{SUFFIX}\n\n"
    );
    for n in 0..people {
        ldif.push_str(&format!(
            "dn: uid=user{n:06},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: user{n:06}\n\
             cn: User {n:06}\nsn: {n:06}\n\n"
        ));
    }
    let file = dir.0.join("people.ldif");
    std::fs::write(&file, ldif)?;
    let added = Command::new(slapadd)
        .arg("-q")
        .arg("-f")
        .arg(&conf)
        .arg("-l")
        .arg(&file)
        .output()?;
    anyhow::ensure!(
        added.status.success(),
        "slapadd: {}",
        String::from_utf8_lossy(&added.stderr)
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let url = format!("ldap://127.0.0.1:{port}");
    let child = Command::new(slapd)
        .arg("-f")
        .arg(&conf)
        .arg("-h")
        .arg(format!("{url}/"))
        .arg("-d")
        .arg("0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let ready = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        anyhow::ensure!(Instant::now() < ready, "slapd did not listen on {url}");
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(Some((Directory { child, _dir: dir }, url)))
}

/// Links a group to a directory group, gives it `people` direct members, and times the
/// outbox until every change is applied. `server_key` is the server's session key, so that
/// the benchmark and the server's own worker open the same sealed secret.
pub async fn measure(
    db: &DatabaseConnection,
    server_key: &[u8],
    people: usize,
) -> anyhow::Result<()> {
    let Some((_directory, url)) = slapd_for(people, "delivery to a directory")? else {
        return Ok(());
    };
    let (console, secrets, clock) = (
        Principal::console(),
        SecretBox::derive(server_key),
        SystemClock,
    );
    let system = add_directory(
        db,
        &secrets,
        "Bench directory",
        &url,
        SettingsInput {
            page_size: "0".into(),
            ..SettingsInput::defaults()
        },
    )
    .await?;
    let group = groups::create(
        db,
        &clock,
        &console,
        groups::NewGroup {
            name: GroupName::parse("Delivery bench group").map_err(|e| anyhow::anyhow!(e))?,
            description: Description::parse("").map_err(|e| anyhow::anyhow!(e))?,
            membership_type: MembershipType::Assigned,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("the group: {e}"))?;
    connected::govern(
        db,
        &clock,
        &secrets,
        &console,
        group.id,
        system.id,
        &format!("cn=Delivery,ou=groups,{SUFFIX}"),
    )
    .await
    .map_err(|e| anyhow::anyhow!("linking: {e}"))?;
    let upns: Vec<String> = (0..people)
        .map(|n| format!("user{n:06}@bench.test"))
        .collect();
    let ids: Vec<UserId> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::UserPrincipalName.is_in(upns))
        .into_tuple()
        .all(db)
        .await?;
    for id in &ids {
        groups::add_member(db, &clock, &console, group.id, *id, MemberRole::Member)
            .await
            .map_err(|e| anyhow::anyhow!("adding a member: {e}"))?;
    }
    let started = Instant::now();
    let mut applied = 0;
    loop {
        let report = worker::run_pass(db, &clock, &secrets).await?;
        applied += report.applied;
        let pending = outbox::Entity::find()
            .filter(outbox::Column::ConnectedSystemId.eq(system.id))
            .filter(outbox::Column::State.eq("pending"))
            .count(db)
            .await?;
        if pending == 0 {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(300),
            "delivery did not finish in 5 minutes ({pending} left)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = started.elapsed();
    let done = outbox::Entity::find()
        .filter(outbox::Column::ConnectedSystemId.eq(system.id))
        .filter(outbox::Column::State.eq("done"))
        .count(db)
        .await
        .context("counting")?;
    println!(
        "\ndelivery to slapd: {done} of {} membership changes applied in {:.1} s ({:.0} a second; \
         {applied} by the benchmark's worker, the rest by the server's own)",
        ids.len(),
        took.as_secs_f64(),
        done as f64 / took.as_secs_f64(),
    );
    Ok(())
}

/// Imports `people` people from a real directory into Gatehouse (all new: their domain is
/// one no seeded user has), then reads them all again with nothing changed, and prints both
/// rates.
pub async fn measure_import(
    db: &DatabaseConnection,
    server_key: &[u8],
    people: usize,
) -> anyhow::Result<()> {
    use gatehouse::domain::directory::RunKind;
    use gatehouse::services::sync;
    let Some((_directory, url)) = slapd_for(people, "import from a directory")? else {
        return Ok(());
    };
    let (console, secrets, clock) = (
        Principal::console(),
        SecretBox::derive(server_key),
        SystemClock,
    );
    let system = add_directory(
        db,
        &secrets,
        "Import directory",
        &url,
        SettingsInput {
            import: Some("on".into()),
            sync_minutes: "0".into(),
            upn_domain: "import.bench.test".into(),
            ..SettingsInput::defaults()
        },
    )
    .await?;
    println!();
    for what in ["first import", "full sync, nothing changed"] {
        sync::request_run(db, &clock, &console, system.id, RunKind::Import)
            .await
            .map_err(|e| anyhow::anyhow!("Sync now: {e}"))?;
        let started = Instant::now();
        let report = sync::run_pass(db, &clock, &secrets).await?;
        let took = started.elapsed();
        anyhow::ensure!(report.failed == 0, "the {what} failed");
        let run = sync::runs(db, &console, system.id, RunKind::Import, 1)
            .await
            .map_err(|e| anyhow::anyhow!("runs: {e}"))?
            .remove(0);
        println!(
            "import from slapd ({what}): {} in {:.1} s, {:.0} entries a second \
             (created {}, updated {}, unchanged {}, errors {})",
            run.phase,
            took.as_secs_f64(),
            run.total as f64 / took.as_secs_f64(),
            run.created,
            run.updated,
            run.unchanged,
            run.errors,
        );
    }
    Ok(())
}

/// Adds the benchmark's slapd at `url` as a connected system, with `input`'s other settings.
async fn add_directory(
    db: &DatabaseConnection,
    secrets: &SecretBox,
    name: &str,
    url: &str,
    input: SettingsInput,
) -> anyhow::Result<connected::ConnectedSystem> {
    let settings = SettingsInput {
        url: url.to_owned(),
        bind_dn: ROOT_DN.into(),
        users_base_dn: format!("ou=people,{SUFFIX}"),
        groups_base_dn: format!("ou=groups,{SUFFIX}"),
        ..input
    }
    .parse(SystemKind::Ldap)
    .map_err(|p| anyhow::anyhow!("settings: {p:?}"))?;
    connected::create(
        db,
        &SystemClock,
        secrets,
        &Principal::console(),
        SystemInput {
            name: SystemName::parse(name).map_err(|e| anyhow::anyhow!(e))?,
            settings,
            enabled: true,
            secret: SecretChange::Set(ROOT_PASSWORD.into()),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("adding the directory: {e}"))
}

/// A slapd with `people` people, or `None` (said, naming `what` is skipped) without one.
fn slapd_for(people: usize, what: &str) -> anyhow::Result<Option<(Directory, String)>> {
    let started = start_slapd(people)?;
    if started.is_none() {
        println!("\n{what}: skipped (needs slapd: apt-get install -y slapd ldap-utils)");
    }
    Ok(started)
}
