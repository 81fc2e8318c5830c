//! One SNMP poll round: an OLT recording with 1,000 ONUs and 500 simulated
//! airMAX radios, served by snmpsim on loopback, polled by the real poller
//! (shared socket, bounded concurrency) into a real database.
//!
//! Run: `cargo bench --bench snmp_poll` (figures go in BENCHMARKS.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::{sync::Arc, time::Instant};

use common::snmpsim::SnmpSim;
use ispbills::{
    auth::sealed::SealKey,
    clock::SystemClock,
    drivers::snmp::{client::SnmpTransport, profile::Profiles},
    monitoring::{
        config::MonitoringConfig,
        poller::{SnmpPoller, COMMUNITY_PURPOSE},
    },
    store::{
        snmp_devices::{self, DeviceFields, SealedCredentials},
        Db,
    },
};

fn main() {
    let gen = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg("scripts/gen-snmp-bench")
        .arg(gen.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mut extra = Vec::new();
    for entry in std::fs::read_dir(gen.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "snmprec") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        extra.push((stem, std::fs::read_to_string(&path).unwrap()));
    }
    let extra_refs: Vec<(&str, String)> =
        extra.iter().map(|(s, c)| (s.as_str(), c.clone())).collect();
    let sim = SnmpSim::start_with(&[], &extra_refs);
    let data = tempfile::tempdir().unwrap();
    let db = Db::open(data.path(), 8).unwrap();
    let seal = SealKey::load_or_create(data.path()).unwrap();
    let now = "2026-11-27T00:00:00Z";
    let mut radios = 0;
    for (stem, _) in &extra {
        let kind = if stem.starts_with("olt") {
            "olt"
        } else {
            "radio"
        };
        radios += usize::from(kind == "radio");
        let fields = DeviceFields {
            kind: kind.into(),
            name: stem.clone(),
            host: sim.addr().ip().to_string(),
            port: i64::from(sim.addr().port()),
            profile: "auto".into(),
            snmp_version: "v2c".into(),
            v3_user: None,
            v3_auth_protocol: None,
            v3_priv_protocol: None,
        };
        let creds = SealedCredentials {
            community: Some(seal.seal(COMMUNITY_PURPOSE, stem).unwrap()),
            ..SealedCredentials::default()
        };
        db.write(move |tx| snmp_devices::create(tx, &fields, &creds, now))
            .unwrap();
    }
    let config = MonitoringConfig::default();
    let concurrency = config.concurrency;
    let poller = Arc::new(SnmpPoller {
        db: db.clone(),
        clock: Arc::new(SystemClock),
        seal,
        config,
        profiles: Profiles::load(None).unwrap(),
        // snmpsim listens on loopback.
        policy: ispbills::net_policy::Policy::network(true),
        wake: Arc::new(tokio::sync::Notify::new()),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let transport = SnmpTransport::bind().await.unwrap();
        for run in 1..=2 {
            let started = Instant::now();
            let n = poller.round(&transport).await.unwrap();
            let secs = started.elapsed().as_secs_f64();
            let (onus, up): (i64, i64) = db
                .read(|c| {
                    Ok((
                        c.query_row("SELECT COUNT(*) FROM onus", [], |r| r.get(0))?,
                        c.query_row(
                            "SELECT COUNT(*) FROM snmp_devices WHERE status = 'up'",
                            [],
                            |r| r.get(0),
                        )?,
                    ))
                })
                .unwrap();
            println!(
                "round {run}: {n} devices (1 OLT with {onus} ONUs, {radios} radios), {up} up, \
                 in {secs:.2} s = {:.0} devices/minute (concurrency {concurrency})",
                n as f64 / secs * 60.0
            );
        }
    });
}
