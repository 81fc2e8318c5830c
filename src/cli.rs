//! The command line: `serve`, `migrate`, `check`, `backup`, `restore`, `config`,
//! `default-config`, `openapi` and `admin create`.

use std::{
    io::{BufRead, Write},
    path::PathBuf,
    process::ExitCode,
    sync::Arc,
};

use clap::{Args, Parser, Subcommand};

use crate::{
    auth::password,
    clock::{Clock, SystemClock},
    config::{self, Config, Overrides},
    domain::staff::{normalise_email, Role},
    logging,
    store::{self, backups, maintenance, migrations, staff_users, Db},
};

#[derive(Debug, Parser)]
#[command(
    name = "ispbills",
    version,
    about = "Billing, customers and network for small ISPs, in one binary"
)]
pub struct Cli {
    /// Data directory (database, keys, backups) [default: ./data]
    #[arg(long, global = true, env = "ISPBILLS_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Config file [default: /etc/ispbills/config.toml when it exists, else built-in defaults]
    #[arg(long, global = true, env = "ISPBILLS_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, then serve the API, docs and panel until SIGTERM/SIGINT
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long, env = "ISPBILLS_LISTEN", value_name = "ADDR")]
        listen: Option<String>,
        /// Load the demo data first, when the database is empty
        #[arg(long)]
        demo: bool,
    },
    /// Load demo data (packages, resellers, customers) into an empty database
    Demo {
        /// How many customers
        #[arg(long, default_value_t = 200)]
        customers: usize,
    },
    /// Manage packages
    #[command(subcommand)]
    Package(PackageCommand),
    /// The billing cycle
    #[command(subcommand)]
    Billing(BillingCommand),
    /// Recharge cards
    #[command(subcommand, name = "recharge-cards")]
    RechargeCards(CardsCommand),
    /// SMS credits
    #[command(subcommand)]
    Sms(SmsCommand),
    /// Apply pending database migrations and exit
    Migrate,
    /// Check the database (integrity and foreign keys); exits non-zero on any problem
    Check,
    /// Write a consistent copy of the database, safe while `serve` runs: to
    /// FILE, or (without --out) into <data_dir>/backups, keeping `[backup] keep`
    Backup {
        /// Where to write the copy
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Replace the database with a backup, after checking it (stop `serve` first)
    Restore {
        /// The backup to restore
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
    },
    /// Print the effective configuration (after file, environment and flags)
    Config,
    /// Print a commented config file with every key and its default
    DefaultConfig,
    /// Print the OpenAPI document of the API
    Openapi,
    /// Manage administrators
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage staff users of any role
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API clients (Integrations -> API Management)
    #[command(subcommand)]
    Client(ClientCommand),
}

#[derive(Debug, Subcommand)]
pub enum SmsCommand {
    /// Add credits bought from the SMS provider (one credit = one SMS part)
    Topup {
        #[arg(long)]
        credits: i64,
        /// What the top-up was (an invoice number, say)
        #[arg(long)]
        note: Option<String>,
    },
    /// Print the credits left and spent today
    Balance,
}

#[derive(Debug, Subcommand)]
pub enum CardsCommand {
    /// Generate a batch; prints every serial and PIN (shown only now)
    Generate {
        /// How many cards (1 to 5000)
        #[arg(long)]
        count: usize,
        /// Each card's value in major units (500, 250.50)
        #[arg(long)]
        value: String,
        /// A name for the batch (letters, digits, -) [default: from the time]
        #[arg(long)]
        batch: Option<String>,
        /// Issue the batch to this operator (a distributor) [default: the ISP keeps it]
        #[arg(long)]
        operator_id: Option<i64>,
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum BillingCommand {
    /// Run one day's cycle: bills on billing days, suspension of the overdue
    /// (idempotent: running a day twice makes no second bill)
    Run {
        /// The local date to run [default: today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// Create a package
    Create {
        /// Name shown to customers ("Fiber 100 Mbps")
        #[arg(long)]
        name: String,
        /// Price per period in major units (1500, 250.50)
        #[arg(long)]
        price: String,
        #[arg(long)]
        speed_down_kbps: i64,
        #[arg(long)]
        speed_up_kbps: i64,
        /// The router profile (PPP profile / queue) it maps to
        #[arg(long)]
        router_profile: Option<String>,
        /// Days a paid period lasts
        #[arg(long, default_value_t = 30)]
        validity_days: i64,
        /// Print the package as JSON
        #[arg(long)]
        json: bool,
    },
}

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
    /// Change a user's role (and, for operator, the operator it acts for)
    SetRole {
        #[arg(long)]
        email: String,
        /// admin, operator or support
        #[arg(long)]
        role: String,
        /// For role operator: the number of the operator (reseller)
        #[arg(long)]
        operator_id: Option<i64>,
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
    /// admin, operator (a reseller's staff) or support
    #[arg(long)]
    pub role: String,
    /// For role operator: the number of the operator (reseller) the user acts for
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
pub enum ClientCommand {
    /// Create an API client and print its credentials (shown once)
    Create {
        /// A descriptive name ("Mobile App", "Billing CRM")
        #[arg(long)]
        name: String,
        /// v1 (token pair) or v2 (client id and secret)
        #[arg(long)]
        api: String,
        /// Comma-separated scopes [default: all]
        #[arg(long)]
        scopes: Option<String>,
        /// standard or high-volume
        #[arg(long, default_value = "standard")]
        tier: String,
        /// Print the credentials as JSON
        #[arg(long)]
        json: bool,
    },
    /// List API clients
    List {
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// New credentials for a client; the old ones stop working at once
    Rotate {
        /// The client's number (from `client list`)
        id: i64,
        /// Print the credentials as JSON
        #[arg(long)]
        json: bool,
    },
    /// Delete a client; all its tokens stop working at once
    Delete {
        /// The client's number (from `client list`)
        id: i64,
    },
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

/// Parses the command line and runs it; the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(cli: &Cli, listen: Option<String>) -> Result<Config, String> {
    let file = config::resolve_file(
        cli.config.as_deref(),
        std::path::Path::new(config::SYSTEM_CONFIG_PATH),
    );
    let overrides = Overrides {
        data_dir: cli.data_dir.clone(),
        listen,
    };
    config::load(file.as_deref(), &overrides).map_err(|e| e.to_string())
}

fn execute(cli: Cli) -> Result<(), String> {
    match &cli.command {
        Command::DefaultConfig => {
            print!("{}", config::DEFAULT_CONFIG_TOML);
            Ok(())
        }
        Command::Openapi => {
            println!("{}", crate::api::spec_json());
            Ok(())
        }
        Command::Serve { listen, demo } => {
            let config = load_config(&cli, listen.clone())?;
            if *demo {
                crate::cli_data::demo_if_empty(&config)?;
            }
            serve(config)
        }
        Command::Demo { customers } => {
            let config = load_config(&cli, None)?;
            crate::cli_data::demo(&config, *customers)
        }
        Command::Billing(BillingCommand::Run { date }) => {
            let config = load_config(&cli, None)?;
            let date = match date {
                Some(d) => {
                    let format = time::macros::format_description!("[year]-[month]-[day]");
                    time::Date::parse(d, &format)
                        .map_err(|_| format!("--date `{d}` is not a date (YYYY-MM-DD)"))?
                }
                None => crate::jobs::billing::local_today(&SystemClock, &config),
            };
            let db = open(&config)?;
            let report = crate::jobs::billing::run_for(&db, &config, &SystemClock, date)
                .map_err(|e| e.to_string())?;
            println!(
                "billing run for {date}: {} bills created, {} customers suspended",
                report.bills_created, report.customers_suspended
            );
            Ok(())
        }
        Command::RechargeCards(cmd) => {
            let config = load_config(&cli, None)?;
            crate::cli_data::cards(&config, cmd)
        }
        Command::Sms(cmd) => {
            let config = load_config(&cli, None)?;
            crate::cli_data::sms(&config, cmd)
        }
        Command::Package(cmd) => {
            let config = load_config(&cli, None)?;
            crate::cli_data::package(&config, cmd)
        }
        Command::Config => {
            let config = load_config(&cli, None)?;
            print!("{}", toml::to_string(&config).map_err(|e| e.to_string())?);
            Ok(())
        }
        Command::Migrate => {
            let config = load_config(&cli, None)?;
            let db = open(&config)?;
            let version = db
                .read(migrations::current_version)
                .map_err(|e| e.to_string())?;
            println!("database is at schema version {version}");
            Ok(())
        }
        Command::Check => {
            let config = load_config(&cli, None)?;
            let path = config.data_dir.join(store::DB_FILE_NAME);
            let problems = maintenance::check(&path).map_err(|e| e.to_string())?;
            if problems.is_empty() {
                println!(
                    "ok: {} passed integrity and foreign key checks",
                    path.display()
                );
                Ok(())
            } else {
                for p in &problems {
                    println!("{p}");
                }
                Err(format!(
                    "{} problem(s) found in {}",
                    problems.len(),
                    path.display()
                ))
            }
        }
        Command::Backup { out: Some(out) } => {
            let config = load_config(&cli, None)?;
            let path = config.data_dir.join(store::DB_FILE_NAME);
            maintenance::backup(&path, out).map_err(|e| e.to_string())?;
            println!("backup written to {}", out.display());
            Ok(())
        }
        Command::Backup { out: None } => {
            let config = load_config(&cli, None)?;
            let done =
                backups::backup_rotated(&config.data_dir, config.backup.keep, SystemClock.now())
                    .map_err(|e| e.to_string())?;
            println!("backup written to {}", done.written.display());
            for old in &done.removed {
                println!("removed old backup {}", old.display());
            }
            Ok(())
        }
        Command::Restore { from } => {
            let config = load_config(&cli, None)?;
            let done = backups::restore(&config.data_dir, from, SystemClock.now())
                .map_err(|e| e.to_string())?;
            println!(
                "restored {} (schema version {}) into {}",
                from.display(),
                done.version,
                config.data_dir.display()
            );
            if let Some(previous) = done.previous {
                println!("the database it replaced is kept as {}", previous.display());
            }
            println!(
                "start the server again (systemctl start ispbills); newer migrations run then"
            );
            Ok(())
        }
        Command::Admin(AdminCommand::SetupCode) => {
            let config = load_config(&cli, None)?;
            let db = open(&config)?;
            if db.read(staff_users::count).map_err(|e| e.to_string())? > 0 {
                return Err("setup is complete (a staff user exists); log in to the panel, or add users with `ispbills admin create`".into());
            }
            let code = crate::auth::setup_code::load_or_create(&config.data_dir)
                .map_err(|e| e.to_string())?;
            println!("{code}");
            Ok(())
        }
        Command::Admin(AdminCommand::Create(args)) => {
            let config = load_config(&cli, None)?;
            let password = password_from(&args.password, args.password_stdin)?;
            create_user(
                &config,
                &StaffInput {
                    email: &args.email,
                    name: &args.name,
                    role: Role::Admin,
                    operator_id: None,
                    password: &password,
                },
                &SystemClock,
            )
        }
        Command::User(UserCommand::Create(args)) => {
            let config = load_config(&cli, None)?;
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
                &config,
                &StaffInput {
                    email: &args.email,
                    name: &args.name,
                    role,
                    operator_id: args.operator_id,
                    password: &password,
                },
                &SystemClock,
            )
        }
        Command::User(cmd) => {
            let config = load_config(&cli, None)?;
            crate::cli_users::run(&config, cmd)
        }
        Command::Client(cmd) => {
            let config = load_config(&cli, None)?;
            crate::cli_clients::run(&config, cmd)
        }
    }
}

pub(crate) fn open(config: &Config) -> Result<Db, String> {
    Db::open(&config.data_dir, config.database.pool_size).map_err(|e| e.to_string())
}

fn serve(config: Config) -> Result<(), String> {
    logging::init(&config.log);
    // Blocking work is database work: more threads than connections would only
    // queue for the pool (and each thread costs memory).
    let blocking_threads = (config.database.pool_size as usize).max(1) * 2 + 4;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(blocking_threads)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime
        .block_on(crate::server::serve(config, Arc::new(SystemClock)))
        .map_err(|e| e.to_string())
}

pub(crate) fn password_from(given: &Option<String>, from_stdin: bool) -> Result<String, String> {
    match (given, from_stdin) {
        (Some(p), false) => Ok(p.clone()),
        (None, true) => read_password_line(),
        _ => Err("give exactly one of --password and --password-stdin".into()),
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

fn create_user(config: &Config, input: &StaffInput<'_>, clock: &dyn Clock) -> Result<(), String> {
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
    let hash = password::hash(secret)?;
    let db = open(config)?;
    let now = clock.now();
    let user = db
        .write(|tx| {
            staff_users::create(
                tx,
                &staff_users::NewStaffUser {
                    email: &email,
                    name,
                    role,
                    password_hash: &hash,
                    operator_id,
                },
                now,
            )
        })
        .map_err(|e| e.to_string())?;
    println!(
        "created {} #{} {} <{}>",
        user.role, user.id, user.name, user.email
    );
    Ok(())
}

fn read_password_line() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    if line.is_empty() {
        return Err("no password on standard input".into());
    }
    Ok(line)
}
