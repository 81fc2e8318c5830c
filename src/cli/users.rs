//! `ispbills user list|disable|enable|set-password|set-role|reset-2fa`: staff
//! offboarding from the command line. Changes go through the same store rules
//! as the API (the last active administrator stays), and a running server on
//! the same data directory applies them before the command returns (its token
//! cache is dropped through `<data_dir>/auth.sock`). `ispbills user create` and
//! `ispbills admin create|setup-code` live here too.

use clap::{Args, Subcommand};
use serde_json::json;

use super::common::{block_on, ops_ctx, password_from, run_op};
use crate::{
    auth::password,
    config::Config,
    domain::staff::{normalise_email, Role},
    jobs::auth_notify,
    ops::{self, Caller, Ctx},
    store::staff_users::{StaffChanges, StaffUser},
};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff user with the given role
    Create(UserCreate),
    /// List staff users
    List {
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// Disable a user: they cannot log in, and their panel sessions and tokens
    /// stop on their next request
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled user again (they log in afresh)
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Set a user's password; their sessions and tokens end
    SetPassword(UserSetPassword),
    /// Change a user's role (and, for operator_staff, the operator it acts for)
    SetRole {
        #[arg(long)]
        email: String,
        /// admin, operator_staff or support (operator: the old name of operator_staff)
        #[arg(long)]
        role: String,
        /// For role operator_staff: the number of the operator (reseller)
        #[arg(long)]
        operator_id: Option<i64>,
    },
    /// Turn off a user's two-factor login (a lost phone): their next login
    /// needs only the password and, when their role must use a second
    /// factor, sets up a new one
    #[command(name = "reset-2fa")]
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("pw").required(true).args(["password", "password_stdin"]))]
pub struct UserSetPassword {
    #[arg(long)]
    pub email: String,
    /// Password (visible to other users of this machine; prefer --password-stdin)
    #[arg(long)]
    pub password: Option<String>,
    /// Read the password from the first line of standard input
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("pw").required(true).args(["password", "password_stdin"]))]
pub struct UserCreate {
    /// Email address, used to log in
    #[arg(long)]
    pub email: String,
    /// Display name
    #[arg(long)]
    pub name: String,
    /// admin, operator_staff (an operator's staff; operator, its old name, is
    /// still taken) or support
    #[arg(long)]
    pub role: String,
    /// For role operator_staff: the number of the operator (reseller) the user acts for
    #[arg(long)]
    pub operator_id: Option<i64>,
    /// Password (visible to other users of this machine; prefer --password-stdin)
    #[arg(long)]
    pub password: Option<String>,
    /// Read the password from the first line of standard input
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a staff user with the admin role
    Create(AdminCreate),
    /// Print the first-run setup code the panel asks for (while no staff user exists)
    SetupCode,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("pw").required(true).args(["password", "password_stdin"]))]
pub struct AdminCreate {
    /// Email address, used to log in
    #[arg(long)]
    pub email: String,
    /// Display name
    #[arg(long)]
    pub name: String,
    /// Password (visible to other users of this machine; prefer --password-stdin)
    #[arg(long)]
    pub password: Option<String>,
    /// Read the password from the first line of standard input
    #[arg(long)]
    pub password_stdin: bool,
}

fn user_json(u: &StaffUser) -> serde_json::Value {
    json!({
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "role": u.role.as_str(),
        "operator_id": u.operator_id,
        "active": u.active,
        "two_factor": u.two_factor,
        "created_at": u.created_at,
        "updated_at": u.updated_at,
    })
}

fn find(ctx: &Ctx, email: &str) -> Result<StaffUser, String> {
    let normal =
        normalise_email(email).ok_or_else(|| format!("`{email}` is not a valid email address"))?;
    match run_op(ops::staff::find_by_email(
        ctx,
        &Caller::system(),
        normal.clone(),
    )) {
        Err(ops::Error::NotFound) => Err(format!("no staff user with email {normal}")),
        other => other.map_err(|e| e.to_string()),
    }
}

fn change(config: &Config, email: &str, changes: StaffChanges) -> Result<StaffUser, String> {
    let ctx = ops_ctx(config)?;
    let user = find(&ctx, email)?;
    let updated = block_on(ops::staff::update(
        &ctx,
        &Caller::system(),
        user.id,
        changes,
    ))?;
    auth_notify::notify_from_cli(&config.data_dir);
    Ok(updated)
}

pub(super) fn run(config: &Config, cmd: &UserCommand) -> Result<(), String> {
    match cmd {
        UserCommand::Create(args) => {
            let role: Role = args.role.parse()?;
            match (role, args.operator_id) {
                (Role::OperatorStaff, None) => {
                    return Err(
                        "an operator_staff user needs --operator-id (the operator it acts for)"
                            .into(),
                    )
                }
                (Role::Admin | Role::Support, Some(_)) => {
                    return Err("--operator-id is only for users with role operator_staff".into())
                }
                _ => {}
            }
            let password = password_from(&args.password, args.password_stdin)?;
            create_user(
                config,
                &StaffInput {
                    email: &args.email,
                    name: &args.name,
                    role,
                    operator_id: args.operator_id,
                    password: &password,
                },
            )
        }
        UserCommand::List { json } => {
            let ctx = ops_ctx(config)?;
            let users = block_on(ops::staff::all(&ctx, &Caller::system()))?;
            if *json {
                let all: Vec<_> = users.iter().map(user_json).collect();
                println!("{}", serde_json::Value::Array(all));
            } else {
                for u in &users {
                    let operator = u
                        .operator_id
                        .map(|o| format!(" operator #{o}"))
                        .unwrap_or_default();
                    println!(
                        "#{:<4} {:<8} {:<8} {:<32} {}{operator}",
                        u.id,
                        u.role.as_str(),
                        if u.active { "active" } else { "disabled" },
                        u.email,
                        u.name,
                    );
                }
            }
            Ok(())
        }
        UserCommand::Disable { email } => {
            let u = change(
                config,
                email,
                StaffChanges {
                    active: Some(false),
                    ..StaffChanges::default()
                },
            )?;
            println!(
                "disabled {} #{} <{}>; their sessions and tokens no longer work",
                u.role, u.id, u.email
            );
            Ok(())
        }
        UserCommand::ResetTwoFactor { email } => {
            let ctx = ops_ctx(config)?;
            let user = find(&ctx, email)?;
            let reset = run_op(ops::two_factor::reset(
                &ctx,
                &Caller::system(),
                user.email.clone(),
            ))
            .map_err(|e| e.to_string())?;
            auth_notify::notify_from_cli(&config.data_dir);
            if reset {
                println!(
                    "two-factor login of {} #{} <{}> is off and their sessions ended; they log in with their password{}",
                    user.role,
                    user.id,
                    user.email,
                    if config.security.roles().contains(&user.role) {
                        " and set up a new second factor"
                    } else {
                        ""
                    }
                );
            } else {
                println!(
                    "{} #{} <{}> had no two-factor login: nothing changed",
                    user.role, user.id, user.email
                );
            }
            Ok(())
        }
        UserCommand::Enable { email } => {
            let u = change(
                config,
                email,
                StaffChanges {
                    active: Some(true),
                    ..StaffChanges::default()
                },
            )?;
            println!("enabled {} #{} <{}>", u.role, u.id, u.email);
            Ok(())
        }
        UserCommand::SetRole {
            email,
            role,
            operator_id,
        } => {
            let role: Role = role.parse()?;
            if role != Role::OperatorStaff && operator_id.is_some() {
                return Err("--operator-id is only for users with role operator_staff".into());
            }
            let u = change(
                config,
                email,
                StaffChanges {
                    role: Some(role),
                    operator_id: operator_id.map(Some),
                    ..StaffChanges::default()
                },
            )?;
            let operator = u
                .operator_id
                .map(|o| format!(" for operator #{o}"))
                .unwrap_or_default();
            println!(
                "{} #{} <{}> is now {}{operator}",
                u.name, u.id, u.email, u.role
            );
            Ok(())
        }
        UserCommand::SetPassword(args) => {
            let secret = password_from(&args.password, args.password_stdin)?;
            password::check_strength(&secret)?;
            let ctx = ops_ctx(config)?;
            let user = find(&ctx, &args.email)?;
            let u = block_on(ops::staff::set_password(
                &ctx,
                &Caller::system(),
                user.id,
                secret,
            ))?;
            auth_notify::notify_from_cli(&config.data_dir);
            println!(
                "password of {} #{} <{}> set; their sessions and tokens ended",
                u.role, u.id, u.email
            );
            Ok(())
        }
    }
}

/// `admin create` (a user with the admin role) and `admin setup-code`.
pub(super) fn admin(config: &Config, cmd: &AdminCommand) -> Result<(), String> {
    match cmd {
        AdminCommand::SetupCode => {
            let ctx = ops_ctx(config)?;
            if !block_on(ops::staff::setup_required(&ctx))? {
                return Err("setup is complete (a staff user exists); log in to the panel, or add users with `ispbills admin create`".into());
            }
            let code = crate::auth::setup_code::load_or_create(&config.data_dir)
                .map_err(|e| e.to_string())?;
            println!("{code}");
            Ok(())
        }
        AdminCommand::Create(args) => {
            let password = password_from(&args.password, args.password_stdin)?;
            create_user(
                config,
                &StaffInput {
                    email: &args.email,
                    name: &args.name,
                    role: Role::Admin,
                    operator_id: None,
                    password: &password,
                },
            )
        }
    }
}

/// A staff user to create from the command line.
struct StaffInput<'a> {
    email: &'a str,
    name: &'a str,
    role: Role,
    operator_id: Option<i64>,
    password: &'a str,
}

fn create_user(config: &Config, input: &StaffInput<'_>) -> Result<(), String> {
    let StaffInput {
        email,
        name,
        role,
        operator_id,
        password: secret,
    } = *input;
    let email =
        normalise_email(email).ok_or_else(|| format!("`{email}` is not a valid email address"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err("the name must not be empty".into());
    }
    password::check_strength(secret)?;
    let ctx = ops_ctx(config)?;
    let new = ops::staff::NewStaff {
        email,
        name: name.to_string(),
        role,
        operator_id,
        password: secret.to_string(),
    };
    let user = block_on(ops::staff::create(&ctx, &Caller::system(), new))?;
    println!(
        "created {} #{} {} <{}>",
        user.role, user.id, user.name, user.email
    );
    Ok(())
}
