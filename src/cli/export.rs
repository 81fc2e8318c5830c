//! `ispbills export customers|bills|payments|audit [--out FILE]`: the same
//! CSV files as the API's exports (UTF-8 with a byte-order mark), written as
//! they are read, to a file or standard output, as the appliance itself
//! (every customer, every row of the trail).

use std::{io::Write, path::PathBuf};

use clap::{Args, Subcommand};

use super::common::open;
use crate::{
    config::Config,
    ops::{
        exports::{self, Export},
        Caller,
    },
    store::{audit::AuditFilter, bills::BillFilter, customers::CustomerFilter},
};

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Customers: id, username, name, phone, email, address, package, ...
    Customers {
        /// Only this status (active, suspended, inactive, ...)
        #[arg(long)]
        status: Option<String>,
        /// Only customers of this package
        #[arg(long)]
        package_id: Option<i64>,
        /// Only customers of this operator (reseller)
        #[arg(long)]
        operator_id: Option<i64>,
        #[command(flatten)]
        out: Out,
    },
    /// Bills: id, customer_id, amount, paid, currency, status, due_date, ...
    Bills {
        /// Only this customer's
        #[arg(long)]
        customer_id: Option<i64>,
        /// Only this status (unpaid, partial, paid, cancelled)
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        out: Out,
    },
    /// Payments: id, customer_id, bill_id, amount, currency, method, ...
    Payments {
        /// Only this customer's
        #[arg(long)]
        customer_id: Option<i64>,
        #[command(flatten)]
        out: Out,
    },
    /// The audit trail, newest first
    Audit {
        /// Only this action (e.g. customer.updated)
        #[arg(long)]
        action: Option<String>,
        /// Only rows about this customer
        #[arg(long)]
        customer_id: Option<i64>,
        #[command(flatten)]
        out: Out,
    },
}

#[derive(Debug, Args)]
pub struct Out {
    /// Write to FILE (default: standard output)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub(super) fn run(config: &Config, cmd: &ExportCommand) -> Result<(), String> {
    let (what, out) = match cmd {
        ExportCommand::Customers {
            status,
            package_id,
            operator_id,
            out,
        } => (
            Export::Customers(CustomerFilter {
                status: status.clone(),
                package_id: *package_id,
                operator_id: *operator_id,
                ..CustomerFilter::default()
            }),
            out,
        ),
        ExportCommand::Bills {
            customer_id,
            status,
            out,
        } => (
            Export::Bills(BillFilter {
                customer_id: *customer_id,
                status: status.clone(),
                ..BillFilter::default()
            }),
            out,
        ),
        ExportCommand::Payments { customer_id, out } => (
            Export::Payments {
                customer_id: *customer_id,
                from: None,
                to: None,
            },
            out,
        ),
        ExportCommand::Audit {
            action,
            customer_id,
            out,
        } => (
            Export::Audit(AuditFilter {
                action: action.clone(),
                customer_id: *customer_id,
                ..AuditFilter::default()
            }),
            out,
        ),
    };
    let db = open(config)?;
    let caller = Caller::system();
    match &out.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let bytes = exports::write_to(&db, &caller, what, &mut w)?;
            w.flush().map_err(|e| e.to_string())?;
            eprintln!("wrote {bytes} bytes to {}", path.display());
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            exports::write_to(&db, &caller, what, &mut w)?;
            w.flush().map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
