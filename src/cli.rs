//! Subcommands: serve (default), migrate, create-admin, create-token, seed.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::Parser;

use crate::auth::{password, tokens as codec};
use crate::domain::Staff;
use crate::domain::{Email, Nickname, Password, Role};
use crate::error::AppError;
use crate::server::config::{Cli, Command, Config};
use crate::server::storage::{Db, audit, seed, seed_content, tokens, users};
use crate::server::{startup, telemetry};

pub async fn main() -> ExitCode {
    telemetry::init_tracing();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let detail = match &e {
                AppError::Internal(d) => d.clone(),
                AppError::Fault(cause) => cause.to_string(),
                other => other.to_string(),
            };
            eprintln!("error: {detail}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), AppError> {
    let db = Db::connect(&cli.db.database_url).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(db, &cli.serve).await,
        Command::Migrate => {
            println!("migrations applied ({})", db.backend_name());
            Ok(())
        }
        Command::CreateAdmin { nickname, email, moderator, password_stdin } => {
            create_admin(&db, &nickname, &email, moderator, password_stdin).await
        }
        Command::CreateToken { nickname, name, scope } => create_token(&db, &nickname, &name, &scope).await,
        Command::Seed { users, statuses, reports, seed: rng_seed } => {
            if users > 0 {
                println!("{}", seed::users(&db, users, rng_seed).await?);
            }
            if statuses > 0 || reports > 0 {
                println!("{}", seed_content::content(&db, statuses, reports, rng_seed).await?);
            }
            Ok(())
        }
    }
}

async fn serve(db: Db, args: &crate::server::config::ServeArgs) -> Result<(), AppError> {
    let config = Config::from(args);
    let mut leptos_options = leptos_options(&args.leptos_toml, config.addr)?;
    crate::server::assets::check(&mut leptos_options);
    if let Some(url) = startup::prepare_setup(&db, &config).await? {
        tracing::warn!(%url, "no admin yet: open the one-time setup URL to create the first admin");
        // The banner is for a person at a terminal; JSON logs carry the URL above.
        if !crate::server::telemetry::json_logs() {
            eprintln!("\n  Steward has no admin yet. Create the first one here (works once):\n\n    {url}\n");
        }
    }
    let addr = config.addr;
    let router = startup::build(db.clone(), config, leptos_options).await?;
    startup::serve(router, addr, args.reuse_port).await?;
    db.close().await;
    Ok(())
}

/// Site options for serving the compiled assets: from `Leptos.toml` if it
/// exists, else from the `LEPTOS_*` variables cargo-leptos sets.
fn leptos_options(
    path: &std::path::Path,
    addr: std::net::SocketAddr,
) -> Result<leptos::config::LeptosOptions, AppError> {
    let conf = if path.exists() {
        leptos::config::get_configuration(path.to_str())
    } else {
        leptos::config::get_configuration(None)
    }
    .map_err(|e| AppError::Internal(format!("reading {}: {e}", path.display())))?;
    let mut options = conf.leptos_options;
    options.site_addr = addr;
    // The file's relative site root assumes the default target dir; builds in
    // another CARGO_TARGET_DIR point here instead.
    if let Ok(root) = std::env::var("LEPTOS_SITE_ROOT") {
        options.site_root = root.into();
    }
    Ok(options)
}

fn read_password(from_stdin: bool) -> Result<String, AppError> {
    let io = |e: std::io::Error| AppError::Internal(format!("reading password: {e}"));
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(io)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password("Password: ").map_err(io)?;
    let again = rpassword::prompt_password("Repeat password: ").map_err(io)?;
    if first != again {
        return Err(AppError::validation("password", "The two passwords differ."));
    }
    Ok(first)
}

async fn create_admin(db: &Db, nickname: &str, email: &str, moderator: bool, stdin: bool) -> Result<(), AppError> {
    let nickname = Nickname::parse(nickname)?;
    let email = Email::parse(email)?;
    let password = Password::parse(&read_password(stdin)?, "password")?;
    let hash = password::hash(&password).await?;
    let role = if moderator { Role::Moderator } else { Role::Admin };
    let mut tx = db.begin().await?;
    let new = users::NewUser {
        nickname: &nickname,
        email: &email,
        display_name: nickname.as_str(),
        password_hash: &hash,
        role: Some(role),
    };
    let id = users::insert(tx.conn(), &new).await?;
    let staff = Staff { id, nickname: nickname.to_string(), role };
    audit::record(
        tx.conn(),
        audit::Entry {
            actor: (&staff).into(),
            action: "user.create_staff",
            subject_users: &[id],
            data: serde_json::json!({ "via": "cli", "role": role.label() }),
            message: format!("@{} was created as {} from the command line", staff.nickname, role.label()),
        },
    )
    .await?;
    tx.commit().await?;
    println!("created {} @{} (id {id})", role.label(), staff.nickname);
    Ok(())
}

async fn create_token(db: &Db, nickname: &str, label: &str, scope: &str) -> Result<(), AppError> {
    // Organization tokens name their organization: an admin makes them on its page.
    let scope = tokens::Scope::parse(scope)
        .filter(|s| *s != tokens::Scope::Organization)
        .ok_or_else(|| AppError::validation("scope", "scope must be admin or intake"))?;
    let mut conn = db.conn().await?;
    let row = users::find_for_login(conn.as_ref(), nickname).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    let staff = row.staff().ok_or_else(|| {
        AppError::validation("nickname", "tokens can only be created for active admins and moderators")
    })?;
    let (_, secret) = codec::issue(db, &staff, label, scope).await?;
    println!("{secret}");
    Ok(())
}
