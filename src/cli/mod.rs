//! The command line: `serve`, `migrate`, `check`, `backup`, `restore`, `config`,
//! `default-config`, `openapi` and `admin create`.
//!
//! This file holds the top-level parser and dispatches each sub-command to the
//! file that runs it; each sub-command group's clap enum lives beside its code
//! (`package.rs`, `billing.rs`, `cards.rs`, `sms.rs`, `users.rs`, `clients.rs`),
//! the shared helpers (`open`, passwords) in `common.rs`.

mod billing;
mod cards;
mod clients;
mod common;
mod database;
mod demo;
mod export;
mod package;
mod serve;
mod sms;
mod users;

use std::{io::Write, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::config::{self, Config, Overrides};

pub use billing::BillingCommand;
pub use cards::CardsCommand;
pub use clients::ClientCommand;
pub use package::PackageCommand;
pub use sms::SmsCommand;
pub use users::{AdminCommand, AdminCreate, UserCommand, UserCreate, UserSetPassword};

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
        /// Load the demo data first, when the database is empty: customers
        /// with the last two months of bills, payments, complaints, SMS and
        /// recharge cards
        #[arg(long)]
        demo: bool,
    },
    /// Load demo data (packages, operators, customers) into an empty database
    Demo {
        /// How many customers
        #[arg(long, default_value_t = 200)]
        customers: usize,
        /// Also their last two months: bills, payments, complaints, SMS,
        /// recharge card batches
        #[arg(long)]
        history: bool,
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
    /// Move the database between engines (`db copy`)
    #[command(subcommand)]
    Db(database::DbCommand),
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
    /// Write customers, bills, payments or the audit trail as CSV (UTF-8
    /// with a byte-order mark), to a file or standard output
    #[command(subcommand)]
    Export(export::ExportCommand),
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
                demo::demo_if_empty(&config)?;
            }
            serve::serve(config)
        }
        Command::Demo { customers, history } => {
            let config = load_config(&cli, None)?;
            demo::demo(&config, *customers, *history)
        }
        Command::Billing(cmd) => {
            let config = load_config(&cli, None)?;
            billing::run(&config, cmd)
        }
        Command::RechargeCards(cmd) => {
            let config = load_config(&cli, None)?;
            cards::run(&config, cmd)
        }
        Command::Sms(cmd) => {
            let config = load_config(&cli, None)?;
            sms::run(&config, cmd)
        }
        Command::Package(cmd) => {
            let config = load_config(&cli, None)?;
            package::run(&config, cmd)
        }
        Command::Config => {
            let config = load_config(&cli, None)?;
            print!("{}", toml::to_string(&config).map_err(|e| e.to_string())?);
            Ok(())
        }
        Command::Migrate => {
            let config = load_config(&cli, None)?;
            database::migrate(&config)
        }
        Command::Check => {
            let config = load_config(&cli, None)?;
            database::check(&config)
        }
        Command::Backup { out } => {
            let config = load_config(&cli, None)?;
            database::backup(&config, out.as_deref())
        }
        Command::Restore { from } => {
            let config = load_config(&cli, None)?;
            database::restore(&config, from)
        }
        Command::Db(cmd) => {
            let config = load_config(&cli, None)?;
            database::db(&config, cmd)
        }
        Command::Admin(cmd) => {
            let config = load_config(&cli, None)?;
            users::admin(&config, cmd)
        }
        Command::User(cmd) => {
            let config = load_config(&cli, None)?;
            users::run(&config, cmd)
        }
        Command::Client(cmd) => {
            let config = load_config(&cli, None)?;
            clients::run(&config, cmd)
        }
        Command::Export(cmd) => {
            let config = load_config(&cli, None)?;
            export::run(&config, cmd)
        }
    }
}
