//! The SNMP access layer against snmpsim: GET, walks (bulk and GETNEXT), a
//! late reply that must not be taken for the next request's answer (a
//! delaying UDP proxy), a dead agent, and v3 authPriv.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    net::{SocketAddr, UdpSocket},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::snmpsim::SnmpSim;
use ispbills::drivers::snmp::{
    client::{AsyncSnmp, SnmpTransport},
    Credentials, SnmpError, SnmpSource, SnmpTarget, SnmpValue, SYS_DESCR, SYS_NAME,
};

fn target(addr: SocketAddr, community: &str, timeout: Duration) -> SnmpTarget {
    SnmpTarget {
        host: addr.ip().to_string(),
        port: addr.port(),
        credentials: Credentials::V2c {
            community: community.into(),
        },
        timeout,
        retries: 0,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Forwards datagrams to `upstream`; the n-th reply back is held `delays[n]`.
fn delaying_proxy(upstream: SocketAddr, delays: Vec<Duration>) -> SocketAddr {
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let back = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = front.local_addr().unwrap();
    let client: Arc<Mutex<Option<SocketAddr>>> = Arc::default();
    {
        let (front, back, client) = (
            front.try_clone().unwrap(),
            back.try_clone().unwrap(),
            client.clone(),
        );
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok((n, from)) = front.recv_from(&mut buf) {
                *client.lock().unwrap() = Some(from);
                let _ = back.send_to(&buf[..n], upstream);
            }
        });
    }
    std::thread::spawn(move || {
        let mut buf = [0u8; 65536];
        let mut count = 0usize;
        while let Ok(n) = back.recv(&mut buf) {
            let delay = delays.get(count).copied().unwrap_or_default();
            count += 1;
            let reply = buf[..n].to_vec();
            let to = *client.lock().unwrap();
            let front = front.try_clone().unwrap();
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                if let Some(to) = to {
                    let _ = front.send_to(&reply, to);
                }
            });
        }
    });
    addr
}

#[test]
fn get_and_walks_against_snmpsim() {
    let sim = SnmpSim::start(&["huawei-ma56xx-gpon", "ubiquiti-airmax"]);
    let rt = runtime();
    rt.block_on(async {
        let transport = SnmpTransport::bind().await.unwrap();
        let hw = AsyncSnmp::connect(
            &transport,
            &target(sim.addr(), "huawei-ma56xx-gpon", Duration::from_secs(2)),
        )
        .await
        .unwrap();
        let v = hw
            .get(&[SYS_DESCR.to_string(), "1.3.6.1.2.1.1.99.0".to_string()])
            .await
            .unwrap();
        assert!(!v[0].text().is_empty());
        assert_eq!(v[1], SnmpValue::Missing);
        let bulk = hw.walk("1.3.6.1.2.1.1", true).await.unwrap();
        let next = hw.walk("1.3.6.1.2.1.1", false).await.unwrap();
        assert_eq!(bulk, next, "GETBULK and GETNEXT walks agree");
        assert!(bulk.len() >= 4);
        assert!(bulk.iter().all(|(suffix, _)| !suffix.is_empty()));
        // Another community on the same socket: another recording.
        let ubnt = AsyncSnmp::connect(
            &transport,
            &target(sim.addr(), "ubiquiti-airmax", Duration::from_secs(2)),
        )
        .await
        .unwrap();
        let d = ubnt.get(&[SYS_DESCR.to_string()]).await.unwrap();
        assert_ne!(d[0], v[0]);
    });
}

#[test]
fn a_late_reply_is_never_taken_for_the_next_answer() {
    let sim = SnmpSim::start(&["huawei-ma56xx-gpon"]);
    // Reply 1 (to the sysDescr GET) comes after that request timed out, while
    // the sysName GET is waiting for its own (delayed a little less).
    let proxy = delaying_proxy(
        sim.addr(),
        vec![Duration::from_millis(500), Duration::from_millis(250)],
    );
    let rt = runtime();
    rt.block_on(async {
        let transport = SnmpTransport::bind().await.unwrap();
        let c = AsyncSnmp::connect(
            &transport,
            &target(proxy, "huawei-ma56xx-gpon", Duration::from_millis(400)),
        )
        .await
        .unwrap();
        let direct = AsyncSnmp::connect(
            &transport,
            &target(sim.addr(), "huawei-ma56xx-gpon", Duration::from_secs(2)),
        )
        .await
        .unwrap();
        let truth = direct
            .get(&[SYS_DESCR.to_string(), SYS_NAME.to_string()])
            .await
            .unwrap();
        let first = c.get(&[SYS_DESCR.to_string()]).await;
        assert!(matches!(first, Err(SnmpError::Timeout(_))), "{first:?}");
        let second = c.get(&[SYS_NAME.to_string()]).await.unwrap();
        assert_eq!(
            second[0], truth[1],
            "the sysName answer, not the late sysDescr"
        );
        assert_ne!(second[0], truth[0]);
    });
}

#[test]
fn a_dead_agent_times_out_within_its_budget() {
    // Nothing listens on this port.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let rt = runtime();
    rt.block_on(async {
        let transport = SnmpTransport::bind().await.unwrap();
        let mut t = target(addr, "public", Duration::from_millis(200));
        t.retries = 2;
        let c = AsyncSnmp::connect(&transport, &t).await.unwrap();
        let started = Instant::now();
        let r = c.get(&[SYS_DESCR.to_string()]).await;
        assert!(matches!(r, Err(SnmpError::Timeout(_))), "{r:?}");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(550) && took < Duration::from_secs(2),
            "three tries of 200 ms took {took:?}"
        );
    });
    drop(silent);
}

#[test]
fn v3_auth_priv() {
    let sim = SnmpSim::start_v3(&["huawei-ma56xx-gpon"], "noc", "authpass123", "privpass123");
    let rt = runtime();
    rt.block_on(async {
        let transport = SnmpTransport::bind().await.unwrap();
        let mut t = target(sim.addr(), "", Duration::from_secs(3));
        t.credentials = Credentials::V3 {
            user: "noc".into(),
            auth_protocol: "sha".into(),
            auth_password: "authpass123".into(),
            priv_protocol: "aes".into(),
            priv_password: "privpass123".into(),
        };
        let c = AsyncSnmp::connect(&transport, &t).await.unwrap();
        let v = c.get(&[SYS_DESCR.to_string()]).await.unwrap();
        assert!(!v[0].text().is_empty(), "{v:?}");
        // A wrong privacy password does not decrypt.
        if let Credentials::V3 { priv_password, .. } = &mut t.credentials {
            *priv_password = "wrongpass99".into();
        }
        t.timeout = Duration::from_millis(700);
        let bad = AsyncSnmp::connect(&transport, &t).await;
        let failed = match bad {
            Err(_) => true,
            Ok(c) => c.get(&[SYS_DESCR.to_string()]).await.is_err(),
        };
        assert!(failed);
    });
}
