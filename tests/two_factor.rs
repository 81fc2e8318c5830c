//! Two-factor login for staff: setting it up in the panel (QR code and key,
//! confirmed with a first code, ten recovery codes), logging in with a code
//! (each code once; a recovery code once; wrong codes throttled like
//! passwords), a role that must use it (`[security] require_2fa_for`), turning
//! it off, and `ispbills user reset-2fa` for a lost phone. The server runs on
//! a clock the test moves, so codes are computed for its time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{panel::log_in, stderr, stdout, Reply, TestServer};
use ispbills::{
    auth::two_factor::code_at,
    clock::{Clock, ManualClock},
    domain::staff::Role,
};
use poem::EndpointExt;
use serde_json::json;
use time::{macros::datetime, Duration};

const PW: &str = "correct horse battery";
const ADMIN: &str = "admin@example.com";

fn server(clock: Arc<ManualClock>, required: &[&str]) -> TestServer {
    let required: Vec<String> = required.iter().map(|r| r.to_string()).collect();
    TestServer::start_full(
        move |mut c| {
            c.security.require_2fa_for = required;
            c
        },
        clock,
        |state| ispbills::app::routes(state).boxed(),
    )
}

fn now_code(clock: &ManualClock, secret: &[u8]) -> String {
    code_at(secret, clock.now().unix_timestamp() as u64)
}

fn login(s: &TestServer, otp: Option<&str>) -> Reply {
    let mut body = json!({"email": ADMIN, "password": PW});
    if let Some(otp) = otp {
        body["otp"] = json!(otp);
    }
    s.post_json("/api/auth/login", &body.to_string())
}

/// Sets up two-factor login through the panel session; the secret and the
/// recovery codes.
fn enrol(p: &common::panel::Panel<'_>, clock: &ManualClock) -> (Vec<u8>, Vec<String>) {
    let setup = p.send("POST", "/admin/api/session/two-factor/setup", None);
    assert_eq!(setup.status, 200, "{}", setup.body);
    let setup = setup.json();
    let key = setup["manual_key"].as_str().unwrap();
    let url = setup["otpauth_url"].as_str().unwrap();
    assert!(url.starts_with("otpauth://totp/"), "{url}");
    assert!(url.contains(&format!("secret={key}")), "{url}");
    assert!(setup["qr_svg"].as_str().unwrap().starts_with("<?xml"));
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = totp_rs::Secret::Encoded(key.to_string())
        .to_bytes()
        .unwrap();
    assert_eq!(secret.len(), 20);

    // A wrong first code does not turn it on.
    let wrong = if now_code(clock, &secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    p.send(
        "POST",
        "/admin/api/session/two-factor/confirm",
        Some(json!({"code": wrong})),
    )
    .assert_error(422, "VALIDATION_ERROR");
    let confirmed = p.send(
        "POST",
        "/admin/api/session/two-factor/confirm",
        Some(json!({"code": now_code(clock, &secret)})),
    );
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let codes: Vec<String> = confirmed.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

fn audit_actions(s: &TestServer) -> Vec<(String, String)> {
    s.state
        .db
        .read(|c| {
            Ok(c.prepare(
                "SELECT action, actor FROM audit_log WHERE resource_type = 'staff_user' ORDER BY id",
            )?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

#[test]
fn a_code_is_needed_once_set_up_and_each_code_works_once() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-06-01 09:00:10 UTC)));
    let s = server(clock.clone(), &[]);
    let id = s.create_staff(ADMIN, Role::Admin, PW);
    let p = log_in(&s, ADMIN);

    let status = p.get("/admin/api/session/two-factor").json();
    assert_eq!(status["enabled"], false);
    assert_eq!(status["required"], false);
    // Without two-factor login the password is enough.
    assert_eq!(login(&s, None).status, 200);
    let other = log_in(&s, ADMIN);
    // (The v1 token's expiry is checked against the real time, not the
    // test's clock: its family's revocation is read from the database.)
    let live_families = |s: &TestServer| -> i64 {
        s.state
            .db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM token_families WHERE staff_user_id = ?1 AND revoked_at IS NULL",
                    [id],
                    |r| r.get(0),
                )?)
            })
            .unwrap()
    };
    assert_eq!(live_families(&s), 1);

    let (secret, recovery) = enrol(&p, &clock);
    // What was opened with the password alone ends; this session stays.
    other
        .get("/admin/api/session")
        .assert_error(401, "UNAUTHENTICATED");
    assert_eq!(live_families(&s), 0);
    assert_eq!(p.get("/admin/api/session").status, 200);
    let status = p.get("/admin/api/session/two-factor").json();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["recovery_codes_left"], 10);
    let session = p.get("/admin/api/session").json();
    assert_eq!(session["user"]["two_factor"], true);
    assert_eq!(session["two_factor_setup_required"], false);
    // A second setup while on is refused.
    p.send("POST", "/admin/api/session/two-factor/setup", None)
        .assert_error(409, "CONFLICT");

    // The password alone no longer logs in; the code that confirmed the setup
    // is used up.
    let err = login(&s, None).assert_error(401, "OTP_REQUIRED");
    assert!(err["message"].as_str().unwrap().contains("otp"), "{err}");
    login(&s, Some(&now_code(&clock, &secret))).assert_error(401, "OTP_INVALID");
    // The next step's code works, once.
    clock.advance(Duration::seconds(30));
    let code = now_code(&clock, &secret);
    let ok = login(&s, Some(&code));
    assert_eq!(ok.status, 200, "{}", ok.body);
    login(&s, Some(&code)).assert_error(401, "OTP_INVALID");
    // A code of the step before is refused after a later one was used.
    clock.advance(Duration::seconds(30));
    login(&s, Some(&code)).assert_error(401, "OTP_INVALID");
    // Spaces within the code do not matter; the OAuth 2.0 form takes it too.
    let next = now_code(&clock, &secret);
    let form = format!(
        "grant_type=password&username={}&password={}&otp={}%20{}",
        "admin%40example.com",
        "correct+horse+battery",
        &next[..3],
        &next[3..]
    );
    let r = s.send(
        "POST",
        "/api/auth/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(form.as_bytes()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // A wrong password with a right code is still a wrong password.
    clock.advance(Duration::seconds(30));
    s.post_json(
        "/api/auth/login",
        &json!({"email": ADMIN, "password": "wrong password", "otp": now_code(&clock, &secret)})
            .to_string(),
    )
    .assert_error(401, "UNAUTHENTICATED");

    // A recovery code works once, typed in capitals or without dashes too.
    let typed = recovery[0].to_uppercase();
    assert_eq!(login(&s, Some(&typed)).status, 200);
    login(&s, Some(&recovery[0])).assert_error(401, "OTP_INVALID");
    assert_eq!(login(&s, Some(&recovery[1].replace('-', ""))).status, 200);
    assert_eq!(
        p.get("/admin/api/session/two-factor").json()["recovery_codes_left"],
        8
    );

    // The panel's login asks for the code the same way.
    let r = s.post_json(
        "/admin/api/session",
        &json!({"email": ADMIN, "password": PW}).to_string(),
    );
    r.assert_error(401, "OTP_REQUIRED");
    let r = s.post_json(
        "/admin/api/session",
        &json!({"email": ADMIN, "password": PW, "otp": now_code(&clock, &secret)}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // New recovery codes need a current code; the old ones stop working.
    clock.advance(Duration::seconds(30));
    p.send(
        "POST",
        "/admin/api/session/two-factor/recovery-codes",
        Some(json!({"code": "12345"})),
    )
    .assert_error(422, "VALIDATION_ERROR");
    let renewed = p.send(
        "POST",
        "/admin/api/session/two-factor/recovery-codes",
        Some(json!({"code": now_code(&clock, &secret)})),
    );
    assert_eq!(renewed.status, 200, "{}", renewed.body);
    let fresh: Vec<String> = renewed.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(fresh.len(), 10);
    login(&s, Some(&recovery[2])).assert_error(401, "OTP_INVALID");
    assert_eq!(login(&s, Some(&fresh[0])).status, 200);

    // Turning it off needs a current code too.
    clock.advance(Duration::seconds(30));
    p.send(
        "POST",
        "/admin/api/session/two-factor/disable",
        Some(json!({"code": "000000x"})),
    )
    .assert_error(422, "VALIDATION_ERROR");
    let off = p.send(
        "POST",
        "/admin/api/session/two-factor/disable",
        Some(json!({"code": now_code(&clock, &secret)})),
    );
    assert_eq!(off.status, 204, "{}", off.body);
    assert_eq!(login(&s, None).status, 200);

    // Each change is in the audit trail, by the user, from their address.
    let actions = audit_actions(&s);
    let actor = format!("user:{id}");
    for action in [
        "staff_user.two_factor_enabled",
        "staff_user.recovery_codes_renewed",
        "staff_user.two_factor_disabled",
    ] {
        assert!(
            actions.contains(&(action.to_string(), actor.clone())),
            "{action}: {actions:?}"
        );
    }
    let rows = p
        .send(
            "GET",
            "/api/v2/logs/audit?action=staff_user.two_factor_enabled",
            None,
        )
        .json();
    assert_eq!(rows["data"][0]["source"], "127.0.0.1", "{rows}");
    assert_eq!(
        rows["data"][0]["changes"],
        json!({"two_factor": {"before": false, "after": true}})
    );
    // No secret or code is stored in the clear.
    let (sealed, hashes) = s
        .state
        .db
        .read(move |c| {
            let sealed: Option<String> = c.query_row(
                "SELECT totp_secret FROM staff_users WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?;
            let hashes = c
                .prepare("SELECT code_hash FROM staff_recovery_codes WHERE staff_user_id = ?1")?
                .query_map([id], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok((sealed, hashes))
        })
        .unwrap();
    // Off: the secret and the codes are gone.
    assert_eq!(sealed, None);
    assert!(hashes.is_empty());
}

#[test]
fn the_secret_is_sealed_and_recovery_codes_hashed_at_rest() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-06-01 09:00:10 UTC)));
    let s = server(clock.clone(), &[]);
    let id = s.create_staff(ADMIN, Role::Admin, PW);
    let p = log_in(&s, ADMIN);
    let (secret, recovery) = enrol(&p, &clock);
    let (sealed, hashes) = s
        .state
        .db
        .read(move |c| {
            let sealed: String = c.query_row(
                "SELECT totp_secret FROM staff_users WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?;
            let hashes = c
                .prepare("SELECT code_hash FROM staff_recovery_codes WHERE staff_user_id = ?1")?
                .query_map([id], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok((sealed, hashes))
        })
        .unwrap();
    assert!(sealed.starts_with("v1:"), "{sealed}");
    let key = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        secret.clone(),
        None,
        String::new(),
    )
    .get_secret_base32();
    assert!(!sealed.contains(&key));
    assert_eq!(hashes.len(), 10);
    for code in &recovery {
        let plain = code.replace('-', "");
        assert!(hashes.iter().all(|h| !h.contains(&plain) && h.len() == 64));
    }
}

#[test]
fn wrong_codes_are_throttled_like_wrong_passwords() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-06-01 09:00:10 UTC)));
    let s = server(clock.clone(), &[]);
    s.create_staff(ADMIN, Role::Admin, PW);
    let p = log_in(&s, ADMIN);
    let (secret, _) = enrol(&p, &clock);
    clock.advance(Duration::seconds(30));
    let right = now_code(&clock, &secret);
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    // A missing code is no guess: it does not count.
    for _ in 0..6 {
        login(&s, None).assert_error(401, "OTP_REQUIRED");
    }
    for _ in 0..5 {
        login(&s, Some(wrong)).assert_error(401, "OTP_INVALID");
    }
    // The sixth try is refused before any check, even with the right code.
    let r = login(&s, Some(&right));
    r.assert_error(429, "RATE_LIMITED");
    assert!(r.header("retry-after").is_some());
    // Turning it off or renewing the codes counts the same wrong codes.
    p.send(
        "POST",
        "/admin/api/session/two-factor/disable",
        Some(json!({"code": right})),
    )
    .assert_error(429, "RATE_LIMITED");
    // After the window the right code passes.
    clock.advance(Duration::minutes(16));
    let r = login(&s, Some(&now_code(&clock, &secret)));
    assert_eq!(r.status, 200, "{}", r.body);
    clock.advance(Duration::seconds(30));
    for _ in 0..5 {
        p.send(
            "POST",
            "/admin/api/session/two-factor/recovery-codes",
            Some(json!({"code": wrong})),
        )
        .assert_error(422, "VALIDATION_ERROR");
    }
    p.send(
        "POST",
        "/admin/api/session/two-factor/recovery-codes",
        Some(json!({"code": now_code(&clock, &secret)})),
    )
    .assert_error(429, "RATE_LIMITED");
}

#[test]
fn a_role_that_must_use_it_sets_it_up_before_anything_else() {
    let clock = Arc::new(ManualClock::new(datetime!(2026-06-01 09:00:10 UTC)));
    let s = server(clock.clone(), &["admin"]);
    s.create_staff(ADMIN, Role::Admin, PW);
    s.create_staff("support@example.com", Role::Support, PW);

    // An API token is refused until it is set up (in the panel).
    login(&s, None).assert_error(403, "TWO_FACTOR_SETUP_REQUIRED");
    // Roles not named log in as before.
    let support = s.post_json(
        "/api/auth/login",
        &json!({"email": "support@example.com", "password": PW}).to_string(),
    );
    assert_eq!(support.status, 200, "{}", support.body);

    // The panel logs in, says so, and can do nothing else meanwhile.
    let p = log_in(&s, ADMIN);
    let session = p.get("/admin/api/session").json();
    assert_eq!(session["two_factor_setup_required"], true);
    p.send("GET", "/api/v2/customers", None)
        .assert_error(403, "TWO_FACTOR_SETUP_REQUIRED");
    p.get("/admin/api/sms/templates")
        .assert_error(403, "TWO_FACTOR_SETUP_REQUIRED");
    let status = p.get("/admin/api/session/two-factor").json();
    assert_eq!(status["required"], true);
    assert_eq!(status["enabled"], false);

    let (secret, _) = enrol(&p, &clock);
    // The same session now works.
    let r = p.send("GET", "/api/v2/customers", None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        p.get("/admin/api/session").json()["two_factor_setup_required"],
        false
    );
    // It cannot be turned off while the role must use it.
    clock.advance(Duration::seconds(30));
    p.send(
        "POST",
        "/admin/api/session/two-factor/disable",
        Some(json!({"code": now_code(&clock, &secret)})),
    )
    .assert_error(409, "CONFLICT");
    let ok = login(&s, Some(&now_code(&clock, &secret)));
    assert_eq!(ok.status, 200, "{}", ok.body);

    // A lost phone: the command line turns it off; the next login sets up
    // a new one.
    let out = s
        .cli()
        .args(["user", "reset-2fa", "--email", ADMIN])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("is off"), "{}", stdout(&out));
    login(&s, None).assert_error(403, "TWO_FACTOR_SETUP_REQUIRED");
    // The phone may be in other hands: the sessions ended.
    p.send("GET", "/api/v2/customers", None)
        .assert_error(401, "UNAUTHENTICATED");
    let fresh = log_in(&s, ADMIN);
    assert_eq!(
        fresh.get("/admin/api/session").json()["two_factor_setup_required"],
        true
    );
    fresh
        .send("GET", "/api/v2/customers", None)
        .assert_error(403, "TWO_FACTOR_SETUP_REQUIRED");
    let again = s
        .cli()
        .args(["user", "reset-2fa", "--email", ADMIN])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("nothing changed"),
        "{}",
        stdout(&again)
    );
    let unknown = s
        .cli()
        .args(["user", "reset-2fa", "--email", "nobody@example.com"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("no staff user"),
        "{}",
        stderr(&unknown)
    );

    // The reset is in the trail, by the command line.
    let actions = audit_actions(&s);
    assert!(
        actions.contains(&("staff_user.two_factor_reset".into(), "system".into())),
        "{actions:?}"
    );
}
