//! `ispbills user list|disable|enable|set-password|set-role`: staff
//! offboarding from the command line. Changes go through the same store rules
//! as the API (the last active administrator stays), and a running server on
//! the same data directory applies them before the command returns (its token
//! cache is dropped through `<data_dir>/auth.sock`).

use serde_json::json;

use crate::{
    auth::password,
    cli::{open, password_from, UserCommand},
    clock::{Clock, SystemClock},
    config::Config,
    domain::staff::{normalise_email, Role},
    jobs::auth_notify,
    store::{
        staff_users::{self, StaffChanges, StaffUser},
        Db, StoreError,
    },
};

fn user_json(u: &StaffUser) -> serde_json::Value {
    json!({
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "role": u.role.as_str(),
        "operator_id": u.operator_id,
        "active": u.active,
        "created_at": u.created_at,
        "updated_at": u.updated_at,
    })
}

fn find(db: &Db, email: &str) -> Result<StaffUser, String> {
    let normal =
        normalise_email(email).ok_or_else(|| format!("`{email}` is not a valid email address"))?;
    db.read(|c| staff_users::find_by_email(c, &normal))
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no staff user with email {normal}"))
}

fn describe(e: StoreError) -> String {
    match e {
        StoreError::Invalid(fields) => fields
            .into_iter()
            .map(|(_, m)| m)
            .collect::<Vec<_>>()
            .join(" "),
        StoreError::Conflict(m) => m,
        other => other.to_string(),
    }
}

fn change(config: &Config, email: &str, changes: StaffChanges) -> Result<StaffUser, String> {
    let db = open(config)?;
    let user = find(&db, email)?;
    let now = SystemClock.now();
    let updated = db
        .write(|tx| staff_users::update(tx, user.id, &changes, now))
        .map_err(describe)?;
    auth_notify::notify_from_cli(&config.data_dir);
    Ok(updated)
}

pub(crate) fn run(config: &Config, cmd: &UserCommand) -> Result<(), String> {
    match cmd {
        // Handled by `cli` (shared with `admin create`).
        UserCommand::Create(_) => Err("internal: user create is handled elsewhere".into()),
        UserCommand::List { json } => {
            let db = open(config)?;
            let users = db.read(staff_users::list).map_err(|e| e.to_string())?;
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
            let db = open(config)?;
            let user = find(&db, &args.email)?;
            let hash = password::hash(&secret)?;
            let now = SystemClock.now();
            let u = db
                .write(|tx| staff_users::set_password(tx, user.id, &hash, now))
                .map_err(describe)?;
            auth_notify::notify_from_cli(&config.data_dir);
            println!(
                "password of {} #{} <{}> set; their sessions and tokens ended",
                u.role, u.id, u.email
            );
            Ok(())
        }
    }
}
