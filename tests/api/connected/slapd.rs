//! A real OpenLDAP `slapd` for the tests: its own config, data folder and free port in a
//! temporary directory, run as a child process and killed when dropped. Never the
//! machine's own LDAP service.
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SUFFIX: &str = "dc=gatehouse,dc=test";
pub const ADMIN_DN: &str = "cn=admin,dc=gatehouse,dc=test";
pub const ADMIN_PASSWORD: &str = "directory secret";

pub struct Slapd {
    pub url: String,
    child: Child,
    slapd: PathBuf,
    conf: PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.exists())
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

/// `.ci/run` sets this: there a missing server is a failure, never a skip.
fn required() -> bool {
    std::env::var("GATEHOUSE_REAL_SERVERS").is_ok_and(|v| v == "required")
}

/// The base entries: the suffix, `ou=people` with User1 and User2, `ou=groups` with
/// Engineering Group (groupOfNames) holding User2.
const BASE: &str = "dn: dc=gatehouse,dc=test
objectClass: dcObject
objectClass: organization
o: Gatehouse test
dc: gatehouse

dn: ou=people,dc=gatehouse,dc=test
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=gatehouse,dc=test
objectClass: organizationalUnit
ou: groups

dn: uid=user1,ou=people,dc=gatehouse,dc=test
objectClass: inetOrgPerson
uid: user1
cn: User1
sn: One
mail: user1@woodgrove.test

dn: uid=user2,ou=people,dc=gatehouse,dc=test
objectClass: inetOrgPerson
uid: user2
cn: User2
sn: Two
mail: user2@woodgrove.test

dn: cn=Engineering Group,ou=groups,dc=gatehouse,dc=test
objectClass: groupOfNames
cn: Engineering Group
member: uid=user2,ou=people,dc=gatehouse,dc=test
";

impl Slapd {
    /// A running directory with the base entries, or `None` (with a line saying how to run
    /// the suite) when slapd is not installed and the suite is not required.
    pub fn start(suite: &str) -> Option<Self> {
        Self::start_with(suite, "")
    }

    /// Like [`Self::start`], with more entries (LDIF) loaded before the server starts.
    pub fn start_with(suite: &str, extra: &str) -> Option<Self> {
        let (Some(slapd), Some(slapadd)) = (binary("slapd"), binary("slapadd")) else {
            assert!(
                !required(),
                "{suite}: slapd is not installed (apt-get install slapd ldap-utils)"
            );
            // Straight to stderr: the test harness shows `eprintln!` of passing tests only
            // with --nocapture, and a skipped suite must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {suite}: needs OpenLDAP's slapd. Install it with \
                 `apt-get install -y slapd ldap-utils` (`.ci/run` does) and run cargo test again."
            );
            return None;
        };
        let dir = tempfile::tempdir().expect("a temp dir");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("the data folder");
        let conf = dir.path().join("slapd.conf");
        std::fs::write(
            &conf,
            format!(
                "include /etc/ldap/schema/core.schema\n\
                 include /etc/ldap/schema/cosine.schema\n\
                 include /etc/ldap/schema/nis.schema\n\
                 include /etc/ldap/schema/inetorgperson.schema\n\
                 pidfile {pid}\n\
                 modulepath /usr/lib/ldap\n\
                 moduleload back_mdb\n\
                 database mdb\n\
                 maxsize 104857600\n\
                 suffix \"{SUFFIX}\"\n\
                 rootdn \"{ADMIN_DN}\"\n\
                 rootpw \"{ADMIN_PASSWORD}\"\n\
                 directory {data}\n",
                pid = dir.path().join("slapd.pid").display(),
                data = data.display(),
            ),
        )
        .expect("slapd.conf");
        let ldif = dir.path().join("base.ldif");
        std::fs::write(&ldif, format!("{BASE}\n{extra}")).expect("base.ldif");
        let added = Command::new(slapadd)
            .arg("-f")
            .arg(&conf)
            .arg("-l")
            .arg(&ldif)
            .output()
            .expect("slapadd runs");
        assert!(
            added.status.success(),
            "slapadd: {}",
            String::from_utf8_lossy(&added.stderr)
        );
        let port = free_port();
        let child = run(&slapd, &conf, port);
        Some(Self {
            url: format!("ldap://127.0.0.1:{port}"),
            child,
            slapd,
            conf,
            port,
            _dir: dir,
        })
    }

    /// Stops the server (the directory is down), keeping its data.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port with the same data.
    pub fn restart(&mut self) {
        self.stop();
        self.child = run(&self.slapd, &self.conf, self.port);
    }
}

/// Runs slapd on `port` and waits until it listens. `-d 0`: in the foreground (a child we
/// can kill), logging nothing.
fn run(slapd: &Path, conf: &Path, port: u16) -> Child {
    let child = Command::new(slapd)
        .arg("-f")
        .arg(conf)
        .arg("-h")
        .arg(format!("ldap://127.0.0.1:{port}/"))
        .arg("-d")
        .arg("0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("slapd starts");
    let ready = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < ready,
            "slapd did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// The members of the directory group `dn`, as the directory itself lists them.
pub async fn members(url: &str, dn: &str) -> Vec<String> {
    let (conn, mut ldap) = ldap3::LdapConnAsync::new(url).await.expect("connect");
    ldap3::drive!(conn);
    ldap.simple_bind(ADMIN_DN, ADMIN_PASSWORD)
        .await
        .and_then(|r| r.success())
        .expect("bind");
    let (entries, _) = ldap
        .search(dn, ldap3::Scope::Base, "(objectClass=*)", vec!["member"])
        .await
        .and_then(|r| r.success())
        .expect("search");
    let _ = ldap.unbind().await;
    let mut members: Vec<String> = entries
        .into_iter()
        .flat_map(|e| {
            ldap3::SearchEntry::construct(e)
                .attrs
                .remove("member")
                .unwrap_or_default()
        })
        .collect();
    members.sort();
    members
}

/// A bound administrator connection to the directory at `url`.
pub async fn admin_connection(url: &str) -> ldap3::Ldap {
    let (conn, mut ldap) = ldap3::LdapConnAsync::new(url).await.expect("connect");
    ldap3::drive!(conn);
    ldap.simple_bind(ADMIN_DN, ADMIN_PASSWORD)
        .await
        .and_then(|r| r.success())
        .expect("bind");
    ldap
}

/// Changes an entry as an administrator of the directory would, outside Gatehouse.
pub async fn modify(url: &str, dn: &str, changes: Vec<ldap3::Mod<&str>>) {
    let mut ldap = admin_connection(url).await;
    ldap.modify(dn, changes)
        .await
        .and_then(|r| r.success())
        .expect("modify");
    let _ = ldap.unbind().await;
}

/// Deletes an entry, outside Gatehouse.
pub async fn delete(url: &str, dn: &str) {
    let mut ldap = admin_connection(url).await;
    ldap.delete(dn)
        .await
        .and_then(|r| r.success())
        .expect("delete");
    let _ = ldap.unbind().await;
}
