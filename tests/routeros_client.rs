//! The RouterOS API client and the REST transport against the simulator in
//! tests/common/routeros_sim.rs, which speaks the wire protocol with its own
//! independent codec: the client under test is the one that talks to routers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/routeros_sim.rs"]
mod routeros_sim;

use std::time::{Duration, Instant};

use ispbills::drivers::routeros::{
    client::{ApiClient, ApiConnection},
    connect, RouterApi, RouterError, Target,
};
use ispbills::net_policy::Policy;
use routeros_sim::{SimConfig, SimRouter};

fn target(sim: &SimRouter, password: &str) -> Target {
    Target {
        host: "127.0.0.1".into(),
        port: sim.port(),
        username: "admin".into(),
        password: password.into(),
        tls: false,
        tls_verify: false,
        rest: false,
        timeout: Duration::from_millis(800),
        // The simulator is on loopback.
        policy: Policy::network(true),
    }
}

#[test]
fn login_commands_queries_and_traps() {
    let sim = SimRouter::start(SimConfig::default());
    let mut api = ApiClient::new(target(&sim, "secret"));
    let id = api
        .add(
            "/ppp/secret",
            &[("name", "karim"), ("password", "p=w"), ("comment", "")],
        )
        .unwrap();
    assert!(id.starts_with('*'));
    api.add("/ppp/secret", &[("name", "rahim"), ("password", "x")])
        .unwrap();
    let rows = api.print("/ppp/secret", &[], &[("name", "karim")]).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["password"], "p=w", "values may hold '='");
    assert_eq!(rows[0]["comment"], "", "and may be empty");
    let names = api.print("/ppp/secret", &["name"], &[]).unwrap();
    assert_eq!(names.len(), 2);
    assert_eq!(names[0].keys().collect::<Vec<_>>(), ["name"]);
    // Raw queries: name = rahim OR name = karim, then NOT.
    let (rows, _) = api
        .command(
            "/ppp/secret/print",
            &[],
            &["name=rahim", "name=karim", "#|", "#!"],
        )
        .unwrap();
    assert!(rows.is_empty());
    api.set("/ppp/secret", &id, &[("disabled", "yes")]).unwrap();
    assert_eq!(sim.rows("/ppp/secret")[0]["disabled"], "yes");
    // A trap is an error with the router's message; the connection stays usable.
    let err = api
        .add("/ppp/secret", &[("name", "karim"), ("password", "y")])
        .unwrap_err();
    assert!(
        matches!(&err, RouterError::Trap { message, .. } if message.contains("already exists")),
        "{err:?}"
    );
    let err = api
        .set("/ppp/secret", "*FFFF", &[("disabled", "no")])
        .unwrap_err();
    assert!(matches!(err, RouterError::Trap { .. }), "{err:?}");
    api.remove("/ppp/secret", &id).unwrap();
    assert_eq!(sim.rows("/ppp/secret").len(), 1);
    assert_eq!(sim.connections(), 1, "one connection for all of it");
    // Every command carried a tag.
    assert!(sim
        .received()
        .iter()
        .filter(|s| s[0] != "/login")
        .all(|s| s.iter().any(|w| w.starts_with(".tag="))));
}

#[test]
fn wrong_password_and_legacy_challenge_login() {
    let sim = SimRouter::start(SimConfig::default());
    let err = ApiConnection::open(&target(&sim, "nope")).unwrap_err();
    assert!(matches!(err, RouterError::Login(_)), "{err:?}");

    let legacy = SimRouter::start(SimConfig {
        legacy_login: true,
        ..SimConfig::default()
    });
    let mut api = ApiClient::new(target(&legacy, "secret"));
    let rows = api.print("/system/resource", &[], &[]).unwrap();
    assert_eq!(rows[0]["board-name"], "CCR2004-16G-2S+");
    let logins: Vec<Vec<String>> = legacy
        .received()
        .into_iter()
        .filter(|s| s[0] == "/login")
        .collect();
    assert_eq!(
        logins.len(),
        2,
        "plain form first, then the challenge answer"
    );
    assert!(logins[0].iter().any(|w| w == "=password=secret"));
    assert!(logins[1].iter().any(|w| w.starts_with("=response=00")));
    let err = ApiConnection::open(&target(&legacy, "wrong")).unwrap_err();
    assert!(matches!(err, RouterError::Login(_)), "{err:?}");
}

#[test]
fn empty_replies_of_newer_routers() {
    let sim = SimRouter::start(SimConfig {
        empty_replies: true,
        ..SimConfig::default()
    });
    let mut api = ApiClient::new(target(&sim, "secret"));
    assert!(api.print("/ppp/active", &[], &[]).unwrap().is_empty());
    api.add("/ppp/active", &[("name", "a")]).unwrap();
    assert_eq!(api.print("/ppp/active", &[], &[]).unwrap().len(), 1);
}

#[test]
fn a_silent_router_times_out_and_the_next_call_reconnects() {
    let sim = SimRouter::start(SimConfig::default());
    let mut api = ApiClient::new(target(&sim, "secret"));
    api.print("/system/identity", &[], &[]).unwrap();
    sim.set_hang(true);
    let started = Instant::now();
    let err = api.print("/system/identity", &[], &[]).unwrap_err();
    assert!(matches!(err, RouterError::Timeout(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    sim.set_hang(false);
    let rows = api.print("/system/identity", &[], &[]).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(sim.connections(), 2, "a fresh connection after the timeout");
    // A dead router: connecting fails quickly.
    sim.kill();
    let started = Instant::now();
    assert!(api.print("/system/identity", &[], &[]).is_err());
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn rest_transport_does_the_same_over_http() {
    let sim = SimRouter::start(SimConfig::default());
    let base = sim.start_rest();
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let t = Target {
        port,
        rest: true,
        ..target(&sim, "secret")
    };
    let mut api = connect(t.clone());
    let id = api
        .add("/ppp/secret", &[("name", "karim"), ("password", "pw")])
        .unwrap();
    let rows = api
        .print("/ppp/secret", &["name", "password"], &[("name", "karim")])
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["password"], "pw");
    api.set("/ppp/secret", &id, &[("disabled", "yes")]).unwrap();
    assert_eq!(sim.rows("/ppp/secret")[0]["disabled"], "yes");
    let err = api
        .add("/ppp/secret", &[("name", "karim"), ("password", "x")])
        .unwrap_err();
    assert!(
        matches!(&err, RouterError::Trap { message, .. } if message.contains("already exists")),
        "{err:?}"
    );
    let res = api.print("/system/resource", &[], &[]).unwrap();
    assert_eq!(res[0]["version"], "7.16.2 (stable)");
    api.remove("/ppp/secret", &id).unwrap();
    assert!(sim.rows("/ppp/secret").is_empty());
    let mut wrong = connect(Target {
        password: "nope".into(),
        ..t
    });
    let err = wrong.print("/ppp/secret", &[], &[]).unwrap_err();
    assert!(matches!(err, RouterError::Login(_)), "{err:?}");
}

/// api-ssl: a TLS front (a self-signed certificate, as routers have) before the
/// simulator. Without verification the link works; with it, the self-signed
/// certificate is refused.
#[test]
fn tls_with_a_self_signed_router_certificate() {
    use std::{net::TcpListener, sync::Arc};

    let sim = SimRouter::start(SimConfig::default());
    let key = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let cert = key.cert.der().clone();
    let private =
        rustls::pki_types::PrivateKeyDer::try_from(key.signing_key.serialize_der()).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], private)
        .unwrap(),
    );
    let front = TcpListener::bind("127.0.0.1:0").unwrap();
    let front_port = front.local_addr().unwrap().port();
    let backend = sim.port();
    std::thread::spawn(move || {
        for stream in front.incoming() {
            let Ok(stream) = stream else { return };
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let Ok(mut plain) = std::net::TcpStream::connect(("127.0.0.1", backend)) else {
                    return;
                };
                plain
                    .set_read_timeout(Some(Duration::from_millis(20)))
                    .unwrap();
                tls.sock
                    .set_read_timeout(Some(Duration::from_millis(20)))
                    .unwrap();
                let mut buf = [0u8; 4096];
                use std::io::{Read, Write};
                loop {
                    match tls.read(&mut buf) {
                        Ok(0) => return,
                        Ok(n) => {
                            if plain.write_all(&buf[..n]).is_err() {
                                return;
                            }
                        }
                        Err(e)
                            if e.kind() == std::io::ErrorKind::WouldBlock
                                || e.kind() == std::io::ErrorKind::TimedOut => {}
                        Err(_) => return,
                    }
                    match plain.read(&mut buf) {
                        Ok(0) => return,
                        Ok(n) => {
                            if tls.write_all(&buf[..n]).and_then(|()| tls.flush()).is_err() {
                                return;
                            }
                        }
                        Err(e)
                            if e.kind() == std::io::ErrorKind::WouldBlock
                                || e.kind() == std::io::ErrorKind::TimedOut => {}
                        Err(_) => return,
                    }
                }
            });
        }
    });
    let t = Target {
        port: front_port,
        tls: true,
        timeout: Duration::from_secs(3),
        ..target(&sim, "secret")
    };
    let mut api = ApiClient::new(t.clone());
    let rows = api.print("/system/identity", &[], &[]).unwrap();
    assert_eq!(rows.len(), 1);
    let err = ApiConnection::open(&Target {
        tls_verify: true,
        ..t
    })
    .unwrap_err();
    assert!(
        err.to_string().to_lowercase().contains("certificate")
            || err.to_string().contains("UnknownIssuer"),
        "{err}"
    );
}
