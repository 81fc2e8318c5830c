//! Configuration: embedded defaults < config file < `ISPBILLS_*` environment < flags.
//!
//! The file is TOML (`--config FILE`, else `ISPBILLS_CONFIG`, else
//! `/etc/ispbills/config.toml` when it exists). Unknown keys are rejected, naming
//! the key, in the file and in the environment alike.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use figment::{
    providers::{Env, Format, Serialized, Toml},
    Figment,
};
use serde::{Deserialize, Serialize};

// The sections owned by their modules (each with its `check()`), named here
// too so `config::WebhooksConfig` and the like keep working.
pub use crate::{
    auth::config::ApiConfig,
    domain::billing::{BillingConfig, IspConfig},
    events::config::WebhooksConfig,
    store::backups::BackupConfig,
};

/// Where the packaged install keeps its config.
pub const SYSTEM_CONFIG_PATH: &str = "/etc/ispbills/config.toml";

/// The commented example printed by `ispbills default-config`; it holds every key
/// with its default value (a test keeps it equal to [`Config::default`]).
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../assets/default-config.toml");

/// Environment variables that are read by the command line itself, not the config.
const ENV_NOT_CONFIG: &[&str] = &["config"];

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Directory holding the database, keys and backups.
    pub data_dir: PathBuf,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub api: ApiConfig,
    pub isp: IspConfig,
    pub billing: BillingConfig,
    pub webhooks: WebhooksConfig,
    pub network: NetworkConfig,
    pub sms: crate::sms::config::SmsConfig,
    pub routers: crate::network::config::RoutersConfig,
    pub radius: crate::network::radius_config::RadiusConfig,
    pub monitoring: crate::monitoring::config::MonitoringConfig,
    pub zabbix: crate::monitoring::zabbix::ZabbixConfig,
    pub vpn: crate::vpn::config::VpnConfig,
    pub payments: crate::drivers::payments::config::PaymentsConfig,
    pub backup: BackupConfig,
    pub audit: crate::store::audit::AuditConfig,
    pub security: crate::auth::config::SecurityConfig,
    pub log: LogConfig,
}

/// Outbound connections to devices, status checks, Zabbix and the SMS
/// gateway (webhooks have their own keys).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Allow targets on this machine: loopback, unspecified, link-local
    /// (169.254/16, fe80::/10), the appliance's own interface addresses, and
    /// the local-use NAT64 prefix 64:ff9b:1::/48.
    pub allow_loopback: bool,
}

impl NetworkConfig {
    /// The address policy of these connections.
    pub fn policy(&self) -> crate::net_policy::Policy {
        crate::net_policy::Policy::network(self.allow_loopback)
    }
}

/// The HTTP server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub body_limit_bytes: usize,
    /// Seconds that in-flight requests get to finish after SIGTERM/SIGINT.
    pub shutdown_grace_secs: u64,
    /// Open connections at most; 0: the open-file limit less a reserve.
    pub max_connections: usize,
    /// Seconds a client has to send a whole request head.
    pub header_read_timeout_secs: u64,
    /// Seconds an idle keep-alive connection stays open between requests.
    pub keepalive_timeout_secs: u64,
    /// The address people open the panel at (`https://billing.example.net`);
    /// when it starts with `https://` the session cookie is marked `Secure`.
    pub public_url: String,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-*`
    /// headers are believed.
    pub trusted_proxies: Vec<String>,
    /// Password hashes computed at once (0: one per core); logins beyond that
    /// are answered 503 at once.
    pub password_hash_threads: usize,
}

/// The store: the embedded SQLite file in the data directory, or PostgreSQL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Connections kept open to the database (readers; the writer has its own).
    pub pool_size: u32,
    /// Empty: the embedded SQLite database in the data directory.
    /// `postgres://user:password@host:port/database` (with `?sslmode=` and
    /// the other libpq options): PostgreSQL 13 or newer.
    pub url: String,
}

/// Logging to stdout (journald picks it up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter: `info`, `debug`, or per module like `info,ispbills=debug`.
    pub level: String,
    /// `text` for people, `json` for log shippers.
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            server: ServerConfig::default(),
            database: DatabaseConfig::default(),
            api: ApiConfig::default(),
            isp: IspConfig::default(),
            billing: BillingConfig::default(),
            webhooks: WebhooksConfig::default(),
            network: NetworkConfig::default(),
            sms: crate::sms::config::SmsConfig::default(),
            routers: crate::network::config::RoutersConfig::default(),
            radius: crate::network::radius_config::RadiusConfig::default(),
            monitoring: crate::monitoring::config::MonitoringConfig::default(),
            zabbix: crate::monitoring::zabbix::ZabbixConfig::default(),
            vpn: crate::vpn::config::VpnConfig::default(),
            payments: crate::drivers::payments::config::PaymentsConfig::default(),
            backup: BackupConfig::default(),
            audit: crate::store::audit::AuditConfig::default(),
            security: crate::auth::config::SecurityConfig::default(),
            log: LogConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            body_limit_bytes: 1024 * 1024,
            shutdown_grace_secs: 25,
            max_connections: 0,
            header_read_timeout_secs: 10,
            keepalive_timeout_secs: 60,
            public_url: String::new(),
            trusted_proxies: Vec::new(),
            password_hash_threads: 0,
        }
    }
}

impl ServerConfig {
    /// Checks the connection timeouts, `password_hash_threads`, `public_url`
    /// and `trusted_proxies`.
    pub fn check(&self) -> Result<(), String> {
        for (key, value) in [
            ("header_read_timeout_secs", self.header_read_timeout_secs),
            ("keepalive_timeout_secs", self.keepalive_timeout_secs),
        ] {
            if value == 0 || value > 3600 {
                return Err(format!("key `server.{key}`: must be between 1 and 3600"));
            }
        }
        if self.password_hash_threads > 64 {
            return Err(
                "key `server.password_hash_threads`: at most 64 (each holds 19 MiB)".into(),
            );
        }
        let url = self.public_url.trim();
        if !url.is_empty() {
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            if !rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace)) {
                return Err(format!(
                    "key `server.public_url`: `{url}` is not an http:// or https:// URL"
                ));
            }
        }
        if let Err(bad) = crate::auth::client_addr::TrustedProxies::parse(&self.trusted_proxies) {
            return Err(format!(
                "key `server.trusted_proxies`: `{bad}` is not an address or a range such as 10.0.0.0/8"
            ));
        }
        Ok(())
    }

    /// True when the panel is reached over HTTPS (by `public_url`).
    pub fn public_https(&self) -> bool {
        self.public_url
            .trim()
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            pool_size: 8,
            url: String::new(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

/// Values given on the command line; they win over everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
}

/// What went wrong while loading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    Missing(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// Which config file to read: the explicit one (flag or `ISPBILLS_CONFIG`) if given,
/// else `system_default` when that file exists, else none.
pub fn resolve_file(explicit: Option<&Path>, system_default: &Path) -> Option<PathBuf> {
    match explicit {
        Some(p) => Some(p.to_path_buf()),
        None if system_default.is_file() => Some(system_default.to_path_buf()),
        None => None,
    }
}

/// Loads the configuration from the layers, reading the process environment.
pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
    // ISPBILLS_TEST_DATABASE_URL and _CA are the test suite's, not keys.
    load_with_env(
        file,
        overrides,
        Env::prefixed("ISPBILLS_").ignore(&["test_database_url", "test_database_ca"]),
    )
}

fn load_with_env(
    file: Option<&Path>,
    overrides: &Overrides,
    env: Env,
) -> Result<Config, ConfigError> {
    let env = env
        .ignore(ENV_NOT_CONFIG)
        .map(|k| env_key(&k.as_str().to_ascii_lowercase()).into());
    finish(base(file)?.merge(env), overrides)
}

fn base(file: Option<&Path>) -> Result<Figment, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(path) = file {
        if !path.is_file() {
            return Err(ConfigError::Missing(path.to_path_buf()));
        }
        figment = figment.merge(Toml::file_exact(path));
    }
    Ok(figment)
}

fn finish(mut figment: Figment, overrides: &Overrides) -> Result<Config, ConfigError> {
    if let Some(dir) = &overrides.data_dir {
        figment = figment.merge(Serialized::default("data_dir", dir));
    }
    if let Some(listen) = &overrides.listen {
        figment = figment.merge(Serialized::default("server.listen", listen));
    }
    let config = figment
        .extract::<Config>()
        .map_err(|e| ConfigError::Invalid(describe(e)))?;
    config.api.check().map_err(ConfigError::Invalid)?;
    config.server.check().map_err(ConfigError::Invalid)?;
    config.webhooks.check().map_err(ConfigError::Invalid)?;
    config.sms.check().map_err(ConfigError::Invalid)?;
    config.routers.check().map_err(ConfigError::Invalid)?;
    config.radius.check().map_err(ConfigError::Invalid)?;
    config.monitoring.check().map_err(ConfigError::Invalid)?;
    config.zabbix.check().map_err(ConfigError::Invalid)?;
    config.vpn.check().map_err(ConfigError::Invalid)?;
    config.payments.check().map_err(ConfigError::Invalid)?;
    config.backup.check().map_err(ConfigError::Invalid)?;
    config.audit.check().map_err(ConfigError::Invalid)?;
    config.security.check().map_err(ConfigError::Invalid)?;
    config.billing.check().map_err(ConfigError::Invalid)?;
    config.isp.check().map_err(ConfigError::Invalid)?;
    if !config.isp.logo.is_empty() {
        check_logo_file(&config.isp.logo)?;
    }
    if !config.sms.notifications.reminder_days.is_empty() && config.server.public_url.is_empty() {
        return Err(ConfigError::Invalid(
            "key `sms.notifications.reminder_days`: reminders carry a payment link, which needs \
             `server.public_url` (the address customers reach the appliance at)"
                .into(),
        ));
    }
    let longest = config.sms.notifications.reminder_days.iter().max();
    if longest.is_some_and(|d| *d > config.payments.link_days) {
        return Err(ConfigError::Invalid(format!(
            "key `payments.link_days`: a reminder {} days before would carry a link dead before \
             the day it reminds of; make link_days at least that",
            longest.copied().unwrap_or_default()
        )));
    }
    Ok(config)
}

/// `ISPBILLS_LISTEN` is short for `server.listen` and
/// `ISPBILLS_WEBHOOK_RETRY_SCHEDULE` for `webhooks.retry_schedule`; otherwise `__`
/// separates a section from its key (`ISPBILLS_SERVER__BODY_LIMIT_BYTES`).
fn env_key(key: &str) -> String {
    match key {
        "listen" => "server.listen".into(),
        "webhook_retry_schedule" => "webhooks.retry_schedule".into(),
        other => other.replace("__", "."),
    }
}

fn describe(e: figment::Error) -> String {
    e.into_iter()
        .map(|e| {
            let key = e.path.join(".");
            let source = e
                .metadata
                .as_ref()
                .map(|m| match &m.source {
                    Some(src) => format!(" (from {} {src})", m.name),
                    None => format!(" (from {})", m.name),
                })
                .unwrap_or_default();
            let kind = e.kind.to_string();
            if key.is_empty() {
                format!("{kind}{source}")
            } else {
                format!("key `{key}`: {kind}{source}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The largest `[isp] logo` file served.
pub const LOGO_MAX_BYTES: u64 = 1024 * 1024;

/// The logo file is there and small enough to send with every invoice.
fn check_logo_file(path: &str) -> Result<(), ConfigError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() <= LOGO_MAX_BYTES => Ok(()),
        Ok(m) if m.is_file() => Err(ConfigError::Invalid(format!(
            "key `isp.logo`: `{path}` is {} bytes; the logo may be at most 1 MiB",
            m.len()
        ))),
        Ok(_) => Err(ConfigError::Invalid(format!(
            "key `isp.logo`: `{path}` is not a file"
        ))),
        Err(e) => Err(ConfigError::Invalid(format!(
            "key `isp.logo`: cannot read `{path}`: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_printed_default_config_is_the_default_and_names_every_key() {
        let parsed: Config = toml::from_str(DEFAULT_CONFIG_TOML).unwrap();
        assert_eq!(parsed, Config::default());
        // Every key of the struct appears, uncommented, in the example.
        let defaults = toml::Value::try_from(Config::default()).unwrap();
        let example: toml::Value = toml::from_str(DEFAULT_CONFIG_TOML).unwrap();
        assert_eq!(defaults, example);
    }

    #[test]
    fn the_packaged_config_serves_the_lan_from_var_lib() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), include_str!("../packaging/debian/config.toml"));
        let c = load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/var/lib/ispbills"));
        assert_eq!(c.server.listen.to_string(), "0.0.0.0:8080");
    }

    #[test]
    fn file_overrides_defaults_and_flags_override_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            dir.path(),
            "data_dir = \"/srv/isp\"\n[server]\nlisten = \"0.0.0.0:9000\"\n[log]\nformat = \"json\"\n",
        );
        let c = load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/srv/isp"));
        assert_eq!(c.server.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.log.format, LogFormat::Json);
        assert_eq!(c.database.pool_size, 8, "untouched keys keep defaults");
        let c = load(
            Some(&file),
            &Overrides {
                data_dir: Some("/tmp/x".into()),
                listen: Some("127.0.0.1:7000".into()),
            },
        )
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(c.server.listen.to_string(), "127.0.0.1:7000");
    }

    #[test]
    fn unknown_keys_are_rejected_with_the_key_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            dir.path(),
            "[server]\nlisten = \"127.0.0.1:1\"\nlisen = 3\n",
        );
        let err = load(Some(&file), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("lisen"), "{err}");
        let file = write(dir.path(), "bogus_section_key = 1\n");
        let err = load(Some(&file), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("bogus_section_key"), "{err}");
    }

    #[test]
    fn the_logo_must_be_an_image_file_that_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let logo = dir.path().join("logo.png");
        std::fs::write(&logo, b"\x89PNG\r\n\x1a\n").unwrap();
        let with = |path: &str| {
            let file = write(dir.path(), &format!("[isp]\nlogo = {path:?}\n"));
            load(Some(&file), &Overrides::default()).map_err(|e| e.to_string())
        };
        let c = with(logo.to_str().unwrap()).unwrap();
        assert_eq!(c.isp.logo_type(), Some("image/png"));
        let err = with(dir.path().join("logo.svg").to_str().unwrap()).unwrap_err();
        assert!(err.contains("isp.logo") && err.contains(".png"), "{err}");
        let err = with(dir.path().join("gone.png").to_str().unwrap()).unwrap_err();
        assert!(
            err.contains("isp.logo") && err.contains("cannot read"),
            "{err}"
        );
        std::fs::write(&logo, vec![0_u8; 1024 * 1024 + 1]).unwrap();
        let err = with(logo.to_str().unwrap()).unwrap_err();
        assert!(err.contains("at most 1 MiB"), "{err}");
    }

    #[test]
    fn reminders_need_a_public_address_and_links_that_outlive_them() {
        let dir = tempfile::tempdir().unwrap();
        let on = "[sms.notifications]\nreminder_days = [3, 45]\n";
        let file = write(dir.path(), on);
        let err = load(Some(&file), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.public_url"), "{err}");
        let public = "[server]\npublic_url = \"https://pay.isp.example\"\n";
        let file = write(dir.path(), &format!("{public}{on}"));
        let err = load(Some(&file), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("payments.link_days"), "{err}");
        let file = write(
            dir.path(),
            &format!("{public}{on}[payments]\nlink_days = 45\n"),
        );
        let c = load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(c.sms.notifications.reminder_days, [3, 45]);
    }

    #[test]
    fn bad_values_are_rejected_with_the_key_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "[server]\nlisten = \"not an address\"\n");
        let err = load(Some(&file), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.listen"), "{err}");
        let err = load(
            None,
            &Overrides {
                listen: Some("nope".into()),
                ..Overrides::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("server.listen"), "{err}");
    }

    #[test]
    fn connection_timeouts_must_be_between_one_second_and_an_hour() {
        let dir = tempfile::tempdir().unwrap();
        for (text, key) in [
            (
                "[server]\nheader_read_timeout_secs = 0\n",
                "server.header_read_timeout_secs",
            ),
            (
                "[server]\nkeepalive_timeout_secs = 3601\n",
                "server.keepalive_timeout_secs",
            ),
        ] {
            let file = write(dir.path(), text);
            let err = load(Some(&file), &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{text}: {err}");
        }
        let file = write(
            dir.path(),
            "[server]\nmax_connections = 500\nheader_read_timeout_secs = 2\nkeepalive_timeout_secs = 3\n",
        );
        let c = load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(c.server.max_connections, 500);
        assert_eq!(c.server.header_read_timeout_secs, 2);
        assert_eq!(c.server.keepalive_timeout_secs, 3);
    }

    #[test]
    fn a_named_file_must_exist_and_the_system_file_is_used_only_when_present() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.toml");
        assert!(matches!(
            load(Some(&missing), &Overrides::default()),
            Err(ConfigError::Missing(_))
        ));
        assert_eq!(resolve_file(None, &missing), None);
        let system = write(dir.path(), "");
        assert_eq!(resolve_file(None, &system), Some(system.clone()));
        assert_eq!(
            resolve_file(Some(&missing), &system),
            Some(missing.clone()),
            "an explicit file wins over the system one"
        );
    }

    #[test]
    fn the_webhook_retry_schedule_comes_as_a_list_or_comma_separated_text() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "[webhooks]\nretry_schedule = [0, 5]\n");
        let c = load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(c.webhooks.retry_schedule, vec![0, 5]);
        let file = write(dir.path(), "[webhooks]\nretry_schedule = \"1, 2,3\"\n");
        let c = load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(c.webhooks.retry_schedule, vec![1, 2, 3]);
        // A prefix of its own, outside ISPBILLS_, so tests loading the real
        // environment at the same time never see it.
        std::env::set_var("WHTEST_ISPBILLS_WEBHOOK_RETRY_SCHEDULE", "1,1,1");
        let c = load_with_env(
            None,
            &Overrides::default(),
            Env::prefixed("WHTEST_ISPBILLS_"),
        )
        .unwrap();
        std::env::remove_var("WHTEST_ISPBILLS_WEBHOOK_RETRY_SCHEDULE");
        assert_eq!(c.webhooks.retry_schedule, vec![1, 1, 1]);
        for bad in ["\"1,x\"", "[]"] {
            let file = write(dir.path(), &format!("[webhooks]\nretry_schedule = {bad}\n"));
            let err = load(Some(&file), &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains("retry_schedule"), "{err}");
        }
    }

    #[test]
    fn sms_settings_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        for (text, key) in [
            ("[sms]\ngateway = \"http\"\n", "sms.gateway"),
            ("[sms]\ngateway = \"carrier-pigeon\"\n", "sms.gateway"),
            ("[sms.notifications]\nlanguage = \"fr\"\n", "language"),
            (
                "[sms]\ngateway = \"http\"\n[sms.http]\nurl = \"ftp://x\"\n[sms.http.params]\nto = \"{phone}\"\n",
                "sms.http.url",
            ),
        ] {
            let file = write(dir.path(), text);
            let err = load(Some(&file), &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{text}: {err}");
        }
        let file = write(
            dir.path(),
            "[sms]\ngateway = \"http\"\n[sms.http]\nurl = \"https://sms.example/send\"\nencoding = \"json\"\n[sms.http.params]\nto = \"{phone}\"\ntext = \"{message}\"\n",
        );
        let c = load(Some(&file), &Overrides::default()).unwrap();
        let http = c.sms.http.unwrap();
        assert_eq!(http.method, "POST");
        assert_eq!(http.params["text"], "{message}");
    }

    #[test]
    fn trusted_proxies_and_hash_threads_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        for (text, key) in [
            (
                "[server]\ntrusted_proxies = [\"10.0.0.0/33\"]\n",
                "server.trusted_proxies",
            ),
            (
                "[server]\ntrusted_proxies = [\"proxy.lan\"]\n",
                "server.trusted_proxies",
            ),
            (
                "[server]\npassword_hash_threads = 65\n",
                "server.password_hash_threads",
            ),
        ] {
            let file = write(dir.path(), text);
            let err = load(Some(&file), &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{text}: {err}");
        }
        let file = write(
            dir.path(),
            "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\npassword_hash_threads = 2\n",
        );
        let c = load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(c.server.trusted_proxies, ["10.0.0.0/8", "::1"]);
        assert_eq!(c.server.password_hash_threads, 2);
    }

    #[test]
    fn vpn_settings_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        for (text, key) in [
            (
                "[vpn.wireguard]\nendpoint = \"no-port\"\n",
                "vpn.wireguard.endpoint",
            ),
            (
                "[vpn.wireguard]\nserver_public_key = \"abc\"\n",
                "vpn.wireguard.server_public_key",
            ),
            (
                "[vpn.wireguard]\nallowed_ips = [\"10.0.0.0/40\"]\n",
                "vpn.wireguard.allowed_ips",
            ),
            ("[vpn.wireguard]\nmtu = 100\n", "vpn.wireguard.mtu"),
            ("[vpn.openvpn]\nproto = \"sctp\"\n", "vpn.openvpn.proto"),
            ("[vpn.openvpn]\nremote = \"a b\"\n", "vpn.openvpn.remote"),
            ("[vpn.l2tp]\nserver = \"x y\"\n", "vpn.l2tp.server"),
        ] {
            let file = write(dir.path(), text);
            let err = load(Some(&file), &Overrides::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{text}: {err}");
        }
        let file = write(
            dir.path(),
            "[vpn.wireguard]\nendpoint = \"[2001:db8::1]:51820\"\nserver_public_key = \"CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\"\n",
        );
        let c = load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(c.vpn.wireguard.persistent_keepalive, 25);
        assert_eq!(c.vpn.openvpn.port, 1194);
    }
}
