//! The SNMP poll round: every device at once with bounded concurrency, each
//! under its own deadline, so a dead device costs its timeout and nothing
//! more. OLTs yield their ONU tables, radios their metrics; rx power and
//! signal go to the history.

use std::{sync::Arc, time::Duration};

use futures_util::{stream, StreamExt};

use super::config::MonitoringConfig;
use crate::{
    auth::sealed::SealKey,
    clock::{format_timestamp, Clock},
    drivers::snmp::{
        client::{AsyncSnmp, SnmpTransport},
        decode::{read_onus, read_radio},
        profile::Profiles,
        Credentials, SnmpError, SnmpSource, SnmpTarget, SnmpValue, SYS_DESCR, SYS_NAME,
        SYS_OBJECT_ID, SYS_UPTIME,
    },
    shutdown::{stopped, StopSignal},
    store::{
        monitoring::{self, Access},
        onus::{self, OnuState},
        snmp_devices::{self, DeviceRow, PollState, SealedCredentials},
        Db, StoreError,
    },
};

/// What SNMP community / v3 passwords are sealed for.
pub const COMMUNITY_PURPOSE: &str = "snmp.community";
pub const V3_AUTH_PURPOSE: &str = "snmp.v3.auth";
pub const V3_PRIV_PURPOSE: &str = "snmp.v3.priv";

pub struct SnmpPoller {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub seal: SealKey,
    pub config: MonitoringConfig,
    pub profiles: Profiles,
    /// Which device addresses may be dialled (`[network] allow_loopback`).
    pub policy: crate::net_policy::Policy,
    /// Rung when a device is added or changed: the next round starts at
    /// once, so the panel sees the first poll within seconds.
    pub wake: Arc<tokio::sync::Notify>,
}

fn open(seal: &SealKey, purpose: &str, sealed: &Option<String>) -> Result<String, String> {
    let Some(s) = sealed else {
        return Err("no credentials stored".into());
    };
    seal.open(purpose, s).map_err(|e| e.to_string())
}

/// What one device poll produced.
pub struct Polled {
    pub state: PollState,
    pub onus: Option<Vec<OnuState>>,
}

impl SnmpPoller {
    fn target(&self, row: &DeviceRow, creds: &SealedCredentials) -> Result<SnmpTarget, String> {
        let credentials = if row.snmp_version == "v3" {
            Credentials::V3 {
                user: row.v3_user.clone().unwrap_or_default(),
                auth_protocol: row.v3_auth_protocol.clone().unwrap_or_else(|| "sha".into()),
                auth_password: open(&self.seal, V3_AUTH_PURPOSE, &creds.v3_auth)?,
                priv_protocol: row.v3_priv_protocol.clone().unwrap_or_else(|| "aes".into()),
                priv_password: open(&self.seal, V3_PRIV_PURPOSE, &creds.v3_priv)?,
            }
        } else {
            Credentials::V2c {
                community: open(&self.seal, COMMUNITY_PURPOSE, &creds.community)?,
            }
        };
        Ok(SnmpTarget {
            host: row.host.clone(),
            port: u16::try_from(row.port).unwrap_or(161),
            credentials,
            timeout: Duration::from_millis(self.config.snmp_timeout_ms),
            retries: self.config.snmp_retries,
        })
    }

    /// Polls one device with a reachable source.
    pub async fn poll_with<S: SnmpSource>(
        &self,
        row: &DeviceRow,
        src: &S,
    ) -> Result<Polled, SnmpError> {
        let sys = src
            .get(&[SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME].map(String::from))
            .await?;
        let text = |i: usize| {
            sys.get(i)
                .filter(|v| !matches!(v, SnmpValue::Missing))
                .map(SnmpValue::text)
        };
        let descr = text(0);
        let object_id = text(1);
        if descr.is_none() && object_id.is_none() {
            return Err(SnmpError::Other(
                "the agent answered without sysDescr/sysObjectID".into(),
            ));
        }
        let profile = if row.profile == "auto" {
            self.profiles.detect(
                object_id.as_deref().unwrap_or(""),
                descr.as_deref().unwrap_or(""),
            )
        } else {
            self.profiles.get(&row.profile)
        };
        let mut state = PollState {
            sys_descr: descr,
            sys_object_id: object_id,
            sys_name: text(3),
            uptime_secs: sys
                .get(2)
                .and_then(SnmpValue::number)
                .map(|t| (t / 100.0) as i64),
            detected_profile: profile.map(|p| p.id.clone()),
            vendor: profile.map(|p| p.vendor.clone()),
            model: profile.map(|p| p.model.clone()),
            metrics: None,
        };
        let mut onus_found = None;
        if let Some(p) = profile {
            if row.kind == "olt" && p.onus.is_some() {
                let onus = read_onus(src, p).await?;
                onus_found = Some(
                    onus.into_iter()
                        .map(|o| OnuState {
                            index_key: o.key,
                            pon_port: o.pon_port,
                            onu_index: o.onu_index,
                            serial: o.serial,
                            mac: o.mac,
                            name: o.name,
                            status: o.status,
                            rx_power_dbm: o.rx_power_dbm,
                            distance_m: o.distance_m,
                        })
                        .collect(),
                );
            }
            if !p.radio.is_empty() {
                let metrics = read_radio(src, p).await?;
                state.metrics = serde_json::to_value(metrics).ok();
            }
        }
        Ok(Polled {
            state,
            onus: onus_found,
        })
    }

    async fn poll_one(
        &self,
        transport: &SnmpTransport,
        row: &DeviceRow,
        creds: &SealedCredentials,
    ) -> Result<Polled, (String, bool)> {
        let mut target = self.target(row, creds).map_err(|e| (e, false))?;
        // The address is checked on every poll (a name may resolve anew);
        // the agent is asked at the address that passed.
        let addr = self
            .policy
            .resolve_async(&target.host, target.port)
            .await
            .map_err(|e| (e.to_string(), false))?;
        match addr.first() {
            // A zone id (fe80::1%eth0) is kept by asking with the host as written.
            Some(std::net::SocketAddr::V6(v6)) if v6.scope_id() != 0 => {}
            Some(first) => target.host = first.ip().to_string(),
            None => {}
        }
        // Every request has its timeout and retries; the whole poll a cap.
        let cap = Duration::from_millis(self.config.snmp_timeout_ms)
            .saturating_mul(self.config.snmp_retries + 1)
            .saturating_mul(40)
            .min(Duration::from_secs(300));
        let work = async {
            let client = AsyncSnmp::connect(transport, &target).await?;
            self.poll_with(row, &client).await
        };
        match tokio::time::timeout(cap, work).await {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(e)) => Err((e.to_string(), matches!(e, SnmpError::Auth(_)))),
            Err(_) => Err((format!("the poll took longer than {cap:?}"), false)),
        }
    }

    fn record(
        &self,
        row: &DeviceRow,
        result: Result<Polled, (String, bool)>,
    ) -> Result<(), StoreError> {
        let now = format_timestamp(self.clock.now());
        // Seen failures of logins go to the access log, once per change, with
        // the poll that saw them.
        let login_failure = match &result {
            Err((why, true)) if row.last_error.as_deref() != Some(why.as_str()) => Some(Access {
                actor: "appliance".into(),
                device_kind: row.kind.clone(),
                device_id: Some(row.id),
                device_name: Some(row.name.clone()),
                action: "snmp login".into(),
                ok: false,
                detail: Some(why.clone()),
            }),
            _ => None,
        };
        let id = row.id;
        self.db.write(move |tx| {
            if let Some(access) = &login_failure {
                monitoring::log_access(tx, access, &now)?;
            }
            match &result {
                Ok(p) => {
                    snmp_devices::record_poll(tx, id, Ok(&p.state), &now)?;
                    if let Some(onus) = &p.onus {
                        onus::replace_for_olt(tx, id, onus, &now)?;
                    }
                    if let Some(signal) = p
                        .state
                        .metrics
                        .as_ref()
                        .and_then(|m| m.get("signal"))
                        .and_then(serde_json::Value::as_f64)
                    {
                        onus::record_radio_signal(tx, id, signal, &now)?;
                    }
                    Ok(())
                }
                Err((why, _)) => snmp_devices::record_poll(tx, id, Err(why), &now),
            }
        })
    }

    /// One round over every device; returns how many were polled.
    pub async fn round(self: &Arc<Self>, transport: &SnmpTransport) -> Result<usize, StoreError> {
        let devices = self
            .db
            .read_async(snmp_devices::all_with_credentials)
            .await?;
        let n = devices.len();
        stream::iter(devices)
            .for_each_concurrent(self.config.concurrency.max(1), |(row, creds)| async move {
                let result = self.poll_one(transport, &row, &creds).await;
                let me = self.clone();
                let recorded = tokio::task::spawn_blocking(move || me.record(&row, result)).await;
                if let Ok(Err(e)) = recorded {
                    tracing::error!(error = %e, "snmp: recording a poll failed");
                }
            })
            .await;
        Ok(n)
    }
}

/// Runs rounds until `stop`; a device added or changed through the API is
/// polled at once (the wait between rounds ends when `wake` rings).
pub async fn worker(
    poller: Arc<SnmpPoller>,
    cluster: Arc<crate::cluster::Cluster>,
    mut stop: StopSignal,
) {
    let transport = match SnmpTransport::bind().await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "snmp: cannot open a UDP socket");
            return;
        }
    };
    let interval = Duration::from_secs(poller.config.poll_interval_secs);
    loop {
        let started = tokio::time::Instant::now();
        if !cluster.holds(crate::cluster::SNMP) {
            // Another node polls; look again when the lease may be free.
            tokio::select! {
                _ = tokio::time::sleep(crate::cluster::RENEW_EVERY) => continue,
                _ = stopped(&mut stop) => break,
            }
        }
        tokio::select! {
            r = poller.round(&transport) => {
                if let Err(e) = r {
                    tracing::error!(error = %e, "snmp: poll round failed");
                }
            }
            _ = stopped(&mut stop) => break,
        }
        tokio::select! {
            _ = tokio::time::sleep_until(started + interval) => {}
            _ = poller.wake.notified() => {}
            _ = stopped(&mut stop) => break,
        }
    }
}
