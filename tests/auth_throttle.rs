//! Login throttling and password hashing under attack, over real HTTP: the
//! attempt is counted before the hash (parallel guesses cannot slip past the
//! count), failures count per account from one address, per account and per
//! address, the setup code per address, the v2 token endpoint per client and
//! per address (and minting counts against the client's rate limit);
//! `X-Forwarded-For` is believed only from `[server] trusted_proxies`; and a
//! full password-hashing pool answers 503 at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use common::{Reply, TestServer};
use ispbills::{
    auth::{
        clients::Credentials,
        principal::Tier,
        throttle::{PER_ACCOUNT, PER_ACCOUNT_AND_ADDRESS, PER_ADDRESS, PER_SETUP_ADDRESS},
        tokens::ApiVersion,
    },
    clock::ManualClock,
    config::Config,
    domain::staff::Role,
};
use poem::EndpointExt;
use serde_json::json;
use time::macros::datetime;

const PW: &str = "correct horse battery";
const ADMIN: &str = "admin@example.com";

/// A server behind a "reverse proxy" on 127.0.0.1 (so tests can name the
/// client with `X-Forwarded-For`), on a clock the test moves.
fn behind_proxy(tweak: impl FnOnce(Config) -> Config) -> (TestServer, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(datetime!(2026-04-10 08:00:00 UTC)));
    let s = TestServer::start_full(
        |mut c| {
            c.server.trusted_proxies = vec!["127.0.0.0/8".into()];
            tweak(c)
        },
        clock.clone(),
        |state| ispbills::app::routes(state).boxed(),
    );
    (s, clock)
}

fn login_from(s: &TestServer, from: &str, email: &str, password: &str) -> Reply {
    let body = json!({"email": email, "password": password}).to_string();
    s.send(
        "POST",
        "/api/auth/login",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", from),
        ],
        Some(body.as_bytes()),
    )
}

fn panel_login_from(s: &TestServer, from: &str, email: &str, password: &str) -> Reply {
    let body = json!({"email": email, "password": password}).to_string();
    s.send(
        "POST",
        "/admin/api/session",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", from),
        ],
        Some(body.as_bytes()),
    )
}

fn token_from(s: &TestServer, from: &str, id: &str, secret: &str) -> Reply {
    let body = json!({"client_id": id, "client_secret": secret}).to_string();
    s.send(
        "POST",
        "/api/v2/auth/token",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", from),
        ],
        Some(body.as_bytes()),
    )
}

fn retry_after(r: &Reply) -> u64 {
    r.header("retry-after")
        .unwrap_or_else(|| panic!("no Retry-After: {:?}", r.headers))
        .parse()
        .unwrap()
}

fn verifies(s: &TestServer) -> u64 {
    s.state.hash_pool.stats.verifies.get()
}

#[test]
fn forty_parallel_wrong_passwords_get_at_most_five_checks() {
    // Enough hashing threads that capacity is not what stops them.
    let s = TestServer::start_with(
        |mut c| {
            c.server.password_hash_threads = 48;
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    s.create_staff(ADMIN, Role::Admin, PW);
    let url = s.url("/api/auth/login");
    let body = json!({"email": ADMIN, "password": "wrong password!"}).to_string();
    let barrier = Arc::new(std::sync::Barrier::new(40));
    let statuses: Vec<u16> = (0..40)
        .map(|_| {
            let (url, body, barrier) = (url.clone(), body.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                common::request(
                    "POST",
                    &url,
                    &[("content-type", "application/json")],
                    Some(body.as_bytes()),
                )
                .status
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked, PER_ACCOUNT_AND_ADDRESS, "{statuses:?}");
    assert_eq!(checked + refused, 40, "{statuses:?}");
    assert_eq!(verifies(&s), PER_ACCOUNT_AND_ADDRESS as u64);
}

#[test]
fn a_strangers_failures_do_not_lock_the_account_out_from_another_address() {
    let (s, clock) = behind_proxy(|c| c);
    s.create_staff(ADMIN, Role::Admin, PW);
    let stranger = "203.0.113.66";
    for _ in 0..PER_ACCOUNT_AND_ADDRESS {
        login_from(&s, stranger, ADMIN, "wrong password!").assert_error(401, "UNAUTHENTICATED");
    }
    // The stranger is stopped, even with the right password...
    let r = login_from(&s, stranger, ADMIN, PW);
    r.assert_error(429, "RATE_LIMITED");
    assert!((1..=900).contains(&retry_after(&r)));
    panel_login_from(&s, stranger, ADMIN, PW).assert_error(429, "RATE_LIMITED");
    // ...but the admin at their own desk logs in, in the API and the panel.
    assert_eq!(login_from(&s, "198.51.100.7", ADMIN, PW).status, 200);
    assert_eq!(panel_login_from(&s, "198.51.100.7", ADMIN, PW).status, 200);
    // Other accounts from the stranger's address are not blocked by these five.
    s.create_staff("other@example.com", Role::Support, PW);
    assert_eq!(
        login_from(&s, stranger, "other@example.com", PW).status,
        200
    );
    // A success forgets that address's failures for the account.
    for _ in 0..PER_ACCOUNT_AND_ADDRESS - 1 {
        login_from(&s, "198.51.100.7", ADMIN, "typo typo typo")
            .assert_error(401, "UNAUTHENTICATED");
    }
    assert_eq!(login_from(&s, "198.51.100.7", ADMIN, PW).status, 200);
    for _ in 0..PER_ACCOUNT_AND_ADDRESS {
        login_from(&s, "198.51.100.7", ADMIN, "typo typo typo")
            .assert_error(401, "UNAUTHENTICATED");
    }
    login_from(&s, "198.51.100.7", ADMIN, PW).assert_error(429, "RATE_LIMITED");
    clock.advance(time::Duration::minutes(15));
    assert_eq!(login_from(&s, stranger, ADMIN, PW).status, 200);
}

#[test]
fn the_account_ceiling_still_stops_guessing_spread_over_many_addresses() {
    let (s, clock) = behind_proxy(|c| c);
    s.create_staff(ADMIN, Role::Admin, PW);
    let addresses = PER_ACCOUNT / PER_ACCOUNT_AND_ADDRESS;
    for a in 0..addresses {
        let from = format!("203.0.113.{}", a + 1);
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            login_from(&s, &from, ADMIN, "wrong password!").assert_error(401, "UNAUTHENTICATED");
        }
    }
    let before = verifies(&s);
    let r = login_from(&s, "198.51.100.200", ADMIN, "guess number 51");
    r.assert_error(429, "RATE_LIMITED");
    assert!((1..=900).contains(&retry_after(&r)));
    assert_eq!(verifies(&s), before, "refused without hashing");
    // The account's owner waits too: that is the price of the ceiling.
    login_from(&s, "198.51.100.7", ADMIN, PW).assert_error(429, "RATE_LIMITED");
    clock.advance(time::Duration::minutes(15));
    assert_eq!(login_from(&s, "198.51.100.7", ADMIN, PW).status, 200);
}

#[test]
fn one_address_trying_many_accounts_is_stopped_by_the_address_ceiling() {
    let (s, _) = behind_proxy(|c| c);
    s.create_staff(ADMIN, Role::Admin, PW);
    let sprayer = "203.0.113.9";
    for i in 0..PER_ADDRESS {
        login_from(&s, sprayer, &format!("user{i}@example.com"), "Summer2026!")
            .assert_error(401, "UNAUTHENTICATED");
    }
    login_from(&s, sprayer, ADMIN, PW).assert_error(429, "RATE_LIMITED");
    assert_eq!(login_from(&s, "198.51.100.7", ADMIN, PW).status, 200);
}

#[test]
fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
    // No trusted proxies: every test request comes from 127.0.0.1, whatever
    // the header says.
    let s = TestServer::start();
    s.create_staff(ADMIN, Role::Admin, PW);
    for i in 0..PER_ACCOUNT_AND_ADDRESS {
        login_from(&s, &format!("203.0.113.{i}"), ADMIN, "wrong password!")
            .assert_error(401, "UNAUTHENTICATED");
    }
    login_from(&s, "198.51.100.7", ADMIN, PW).assert_error(429, "RATE_LIMITED");
    // The request log records the peer, not the header.
    s.wait_for_log_rows(6);
    let ips: Vec<String> = s
        .state
        .db
        .read(|c| {
            let mut st = c.prepare("SELECT DISTINCT ip FROM api_request_log")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap();
    assert_eq!(ips, ["127.0.0.1"]);
}

#[test]
fn the_request_log_names_the_client_behind_a_trusted_proxy() {
    let (s, _) = behind_proxy(|c| c);
    login_from(&s, "1.2.3.4, 203.0.113.77", ADMIN, "whatever").assert_error(401, "UNAUTHENTICATED");
    s.wait_for_log_rows(1);
    let ip: String = s
        .state
        .db
        .read(|c| Ok(c.query_row("SELECT ip FROM api_request_log", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(ip, "203.0.113.77", "the rightmost untrusted hop");
}

#[test]
fn wrong_setup_codes_block_only_their_own_address() {
    let (s, _) = behind_proxy(|c| c);
    let code = std::fs::read_to_string(s.data_dir().join("setup-code")).unwrap();
    let setup = |from: &str, code: &str| {
        let body = json!({"setup_code": code, "email": "owner@isp.example", "name": "Owner",
                          "password": "a long enough password"})
        .to_string();
        s.send(
            "POST",
            "/admin/api/setup",
            &[
                ("content-type", "application/json"),
                ("x-forwarded-for", from),
            ],
            Some(body.as_bytes()),
        )
    };
    for _ in 0..PER_SETUP_ADDRESS {
        setup("203.0.113.5", "AAAA-BBBB-CCCC").assert_error(403, "FORBIDDEN");
    }
    let r = setup("203.0.113.5", code.trim());
    r.assert_error(429, "RATE_LIMITED");
    assert!((1..=900).contains(&retry_after(&r)));
    // The owner, elsewhere, is not locked out of first-run setup.
    let r = setup("192.168.1.10", code.trim());
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(s.state.hash_pool.stats.hashes.get(), 1);
}

#[test]
fn parallel_wrong_setup_codes_are_counted_before_they_are_checked() {
    let s = TestServer::start();
    let url = s.url("/admin/api/setup");
    let body = json!({"setup_code": "AAAA-BBBB-CCCC", "email": "a@b.example", "name": "A",
                      "password": "a long enough password"})
    .to_string();
    let barrier = Arc::new(std::sync::Barrier::new(30));
    let statuses: Vec<u16> = (0..30)
        .map(|_| {
            let (url, body, barrier) = (url.clone(), body.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                common::request(
                    "POST",
                    &url,
                    &[("content-type", "application/json")],
                    Some(body.as_bytes()),
                )
                .status
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    let checked = statuses.iter().filter(|s| **s == 403).count();
    assert_eq!(checked, PER_SETUP_ADDRESS, "{statuses:?}");
}

fn v2_client(s: &TestServer, tier: Tier) -> (String, String) {
    let (_, creds) = s.create_client(ApiVersion::V2, "*", tier);
    let Credentials::V2 {
        client_id,
        client_secret,
    } = creds
    else {
        panic!()
    };
    (client_id, client_secret)
}

#[test]
fn wrong_client_secrets_are_throttled_per_client_and_per_address() {
    let (s, clock) = behind_proxy(|c| c);
    let (id, secret) = v2_client(&s, Tier::HighVolume);
    let attacker = "203.0.113.50";
    for _ in 0..PER_ACCOUNT_AND_ADDRESS {
        token_from(&s, attacker, &id, "not the secret").assert_error(401, "UNAUTHENTICATED");
    }
    let r = token_from(&s, attacker, &id, &secret);
    r.assert_error(429, "RATE_LIMITED");
    assert!((1..=900).contains(&retry_after(&r)));
    // The integration itself, on its own address, still gets tokens.
    assert_eq!(token_from(&s, "192.168.1.20", &id, &secret).status, 200);

    // Per client: failures spread over many addresses hit the client's ceiling.
    let (id2, secret2) = v2_client(&s, Tier::HighVolume);
    for a in 0..PER_ACCOUNT / PER_ACCOUNT_AND_ADDRESS {
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            token_from(&s, &format!("198.51.100.{}", a + 1), &id2, "nope")
                .assert_error(401, "UNAUTHENTICATED");
        }
    }
    let r = token_from(&s, "192.168.1.21", &id2, &secret2);
    r.assert_error(429, "RATE_LIMITED");
    assert!(r.header("retry-after").is_some());

    // Per address: one address trying many client ids.
    let sprayer = "203.0.113.51";
    for i in 0..PER_ADDRESS {
        token_from(
            &s,
            sprayer,
            &format!("00000000-0000-4000-8000-{i:012}"),
            "x",
        )
        .assert_error(401, "UNAUTHENTICATED");
    }
    token_from(&s, sprayer, &id, &secret).assert_error(429, "RATE_LIMITED");

    clock.advance(time::Duration::minutes(15));
    assert_eq!(token_from(&s, attacker, &id, &secret).status, 200);
    assert_eq!(token_from(&s, sprayer, &id2, &secret2).status, 200);
}

#[test]
fn minting_tokens_counts_against_the_clients_rate_limit() {
    let s = TestServer::start_with(
        |mut c| {
            c.api.v2_standard_per_minute = 3;
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    let (id, secret) = v2_client(&s, Tier::Standard);
    let mut token = String::new();
    for _ in 0..3 {
        let r = token_from(&s, "ignored", &id, &secret);
        assert_eq!(r.status, 200, "{}", r.body);
        token = r.json()["access_token"].as_str().unwrap().to_string();
    }
    let r = token_from(&s, "ignored", &id, &secret);
    r.assert_error(429, "RATE_LIMITED");
    assert!((1..=60).contains(&retry_after(&r)));
    // The same bucket as the client's API calls.
    s.get_auth("/api/v2/customers", &token)
        .assert_error(429, "RATE_LIMITED");
}

#[test]
fn a_full_hashing_pool_answers_503_at_once_and_does_not_count_the_attempt() {
    let s = TestServer::start_with(
        |mut c| {
            c.server.password_hash_threads = 1;
            c
        },
        |state| ispbills::app::routes(state).boxed(),
    );
    s.create_staff(ADMIN, Role::Admin, PW);
    // Someone else holds the only hashing thread.
    let held = s.state.hash_pool.try_permit().unwrap();
    for _ in 0..10 {
        let started = Instant::now();
        let r = s.login(ADMIN, PW);
        r.assert_error(503, "SERVICE_UNAVAILABLE");
        assert_eq!(retry_after(&r), 1);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "answered at once"
        );
    }
    assert_eq!(verifies(&s), 0);
    let token = s.v2_client_token("metrics:read", Tier::Standard).3;
    assert!(s
        .get_auth("/metrics", &token)
        .body
        .contains("ispbills_password_hash_busy_total 10"));
    drop(held);
    // The 503s were not failures: five wrong passwords are still allowed.
    for _ in 0..PER_ACCOUNT_AND_ADDRESS {
        s.login(ADMIN, "wrong password!")
            .assert_error(401, "UNAUTHENTICATED");
    }
    s.login(ADMIN, PW).assert_error(429, "RATE_LIMITED");
}

#[test]
fn parallel_logins_beyond_the_hashing_threads_are_refused_quickly() {
    let (s, _) = behind_proxy(|mut c| {
        c.server.password_hash_threads = 1;
        c
    });
    s.create_staff(ADMIN, Role::Admin, PW);
    let url = s.url("/api/auth/login");
    let barrier = Arc::new(std::sync::Barrier::new(16));
    let answers: Vec<(u16, Duration)> = (0..16)
        .map(|i| {
            let (url, barrier) = (url.clone(), barrier.clone());
            std::thread::spawn(move || {
                let body = json!({"email": ADMIN, "password": "wrong password!"}).to_string();
                let from = format!("203.0.113.{i}");
                barrier.wait();
                let started = Instant::now();
                let r = common::request(
                    "POST",
                    &url,
                    &[
                        ("content-type", "application/json"),
                        ("x-forwarded-for", &from),
                    ],
                    Some(body.as_bytes()),
                );
                (r.status, started.elapsed())
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    let busy: Vec<_> = answers.iter().filter(|(s, _)| *s == 503).collect();
    assert!(!busy.is_empty(), "{answers:?}");
    assert!(
        answers.iter().all(|(s, _)| *s == 401 || *s == 503),
        "{answers:?}"
    );
    // Nobody queued behind the hashes: never more than a few hash-times.
    assert!(
        busy.iter().all(|(_, t)| *t < Duration::from_secs(2)),
        "{answers:?}"
    );
    assert_eq!(
        verifies(&s),
        answers.iter().filter(|(s, _)| *s == 401).count() as u64
    );
}
