//! The `gatehouse` command line: serve, migrate, add users, load the tutorial's demo data.
use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::clock::SystemClock;
use crate::config::{Config, Settings};
use crate::domain::group::{Description, GroupName, MembershipType};
use crate::domain::principal::Principal;
use crate::domain::user::{DirectoryRole, DisplayName, Email, Password, UserPrincipalName};
use crate::services::groups::{self, NewGroup};
use crate::services::setup;
use crate::services::users::{self, NewUser};
use crate::{db, startup, store};

#[derive(Parser, Debug)]
#[command(
    name = "gatehouse",
    version,
    about = "Self-hosted entitlement management: access packages, approvals and time-bound group membership",
    long_about = "Self-hosted entitlement management: access packages, approvals and time-bound group membership.\n\n\
                  With no command, `serve` runs. Every setting can also come from the environment variable shown in brackets."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (the default). Prints a one-time setup link while there are no users.
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Manage users from the console.
    #[command(subcommand)]
    User(UserCommand),
    /// Load the tutorial's starting directory (Admin1, User1, Engineering Group) into an
    /// empty database and print the generated passwords once.
    Demo,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user. The password is asked for, or read from standard input.
    Add {
        /// User principal name (the sign-in name), like admin1@woodgrove.test.
        #[arg(long)]
        upn: String,
        /// Display name, like Admin1.
        #[arg(long)]
        name: String,
        /// Directory role.
        #[arg(long, value_enum, default_value = "user")]
        role: RoleArg,
        /// Email address (optional).
        #[arg(long, default_value = "")]
        email: String,
        /// Read the password from the first line of standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    GlobalAdmin,
    UserAdmin,
    User,
}

impl From<RoleArg> for DirectoryRole {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::GlobalAdmin => DirectoryRole::GlobalAdministrator,
            RoleArg::UserAdmin => DirectoryRole::UserAdministrator,
            RoleArg::User => DirectoryRole::User,
        }
    }
}

pub async fn run(config: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let clock: crate::clock::SharedClock = Arc::new(SystemClock);
            let interval = config.scheduler_interval;
            let mail = config.mail.clone();
            let public_url = config.public_url.clone();
            let app = startup::build(config, clock.clone()).await?;
            let scheduler = startup::spawn_scheduler(app.db.clone(), clock.clone(), interval);
            let outbox = startup::spawn_outbox_worker(
                app.db.clone(),
                clock.clone(),
                app.secrets.clone(),
                startup::OUTBOX_INTERVAL,
            );
            let syncs = startup::spawn_sync_worker(
                app.db.clone(),
                clock.clone(),
                app.secrets.clone(),
                startup::SYNC_INTERVAL,
            );
            let mailer = match &mail {
                Some(mail) => Some(startup::spawn_mail_worker(
                    app.db.clone(),
                    clock,
                    crate::connectors::smtp::Mailer::new(mail).map_err(anyhow::Error::msg)?,
                    public_url,
                    startup::MAIL_INTERVAL,
                )),
                None => None,
            };
            let served = app.server.await.context("running the server");
            scheduler.abort();
            outbox.abort();
            syncs.abort();
            if let Some(mailer) = mailer {
                mailer.abort();
            }
            served
        }
        Command::Migrate => {
            let db = db::connect(&config.database).await?;
            db::migrate(&db).await?;
            println!("The database schema is up to date.");
            Ok(())
        }
        Command::User(UserCommand::Add {
            upn,
            name,
            role,
            email,
            password_stdin,
        }) => {
            let password = read_password(password_stdin)?;
            add_user(&config, &upn, &name, role.into(), &email, &password).await
        }
        Command::Demo => demo(&config).await,
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password("Password: ").context("reading the password")?;
    let second = rpassword::prompt_password("Password again: ").context("reading the password")?;
    if first != second {
        bail!("the passwords do not match");
    }
    Ok(first)
}

fn new_user(
    upn: &str,
    name: &str,
    role: DirectoryRole,
    email: &str,
    password: &str,
) -> anyhow::Result<NewUser> {
    Ok(NewUser {
        display_name: DisplayName::parse(name).map_err(|e| anyhow::anyhow!("--name: {e}"))?,
        user_principal_name: UserPrincipalName::parse(upn)
            .map_err(|e| anyhow::anyhow!("--upn: {e}"))?,
        email: Email::parse(email).map_err(|e| anyhow::anyhow!("--email: {e}"))?,
        role,
        password: Password::parse(password).map_err(|e| anyhow::anyhow!("password: {e}"))?,
    })
}

async fn add_user(
    config: &Config,
    upn: &str,
    name: &str,
    role: DirectoryRole,
    email: &str,
    password: &str,
) -> anyhow::Result<()> {
    let new = new_user(upn, name, role, email, password)?;
    let db = db::connect(&config.database).await?;
    db::migrate(&db).await?;
    let clock = SystemClock;
    let user = users::create(&db, &clock, &Principal::console(), new).await?;
    setup::close(&db, &clock).await?;
    println!(
        "Created {} ({}), {}.",
        user.display_name,
        user.user_principal_name,
        user.role.label()
    );
    Ok(())
}

/// A readable random password: 20 characters without look-alikes (0/O, 1/l/I).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    let _ = getrandom::fill(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

async fn demo(config: &Config) -> anyhow::Result<()> {
    let db = db::connect(&config.database).await?;
    db::migrate(&db).await?;
    if store::users::any(&db).await?
        || !store::groups::list(&db, "", crate::domain::page::Cursor::First, 1)
            .await?
            .items
            .is_empty()
    {
        bail!(
            "the database already has users or groups; `gatehouse demo` only loads into an empty database"
        );
    }
    let clock = SystemClock;
    let people = [
        (
            "admin1@woodgrove.test",
            "Admin1",
            DirectoryRole::GlobalAdministrator,
        ),
        ("user1@woodgrove.test", "User1", DirectoryRole::User),
    ];
    println!("Loaded the tutorial's starting directory. These passwords are shown once:\n");
    for (upn, name, role) in people {
        let password = generate_password();
        let user = users::create(
            &db,
            &clock,
            &Principal::console(),
            new_user(upn, name, role, "", &password)?,
        )
        .await?;
        println!(
            "    {:<8} {:<24} {:<22} password: {password}",
            user.display_name,
            user.user_principal_name,
            user.role.label()
        );
    }
    let group = NewGroup {
        name: GroupName::parse("Engineering Group").map_err(|e| anyhow::anyhow!("{e}"))?,
        description: Description::parse("Engineering web project")
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        membership_type: MembershipType::Assigned,
    };
    groups::create(&db, &clock, &Principal::console(), group).await?;
    setup::close(&db, &clock).await?;
    println!("    Engineering Group (security group, Assigned, no members)\n");
    println!(
        "Start the server with `gatehouse serve` (or `cargo run --release`) and sign in at {}.",
        config.public_url
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::generate_password;

    #[test]
    fn generated_passwords_are_long_enough_and_unambiguous() {
        let password = generate_password();
        assert_eq!(password.chars().count(), 20);
        assert!(!password.contains(['0', 'O', '1', 'l', 'I']));
        assert_ne!(password, generate_password());
    }
}
