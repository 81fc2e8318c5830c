//! Backups kept in rotation and `ispbills restore`: the real binary on a temp
//! data directory. A restore checks the file first (an ispbills database, a
//! schema this version knows, integrity and foreign keys), never runs under a
//! live server (which holds the data directory locked), keeps the replaced
//! database beside it, and round-trips the data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Stdio},
};

use common::{ispbills, stderr, stdout};
use rusqlite::Connection;
use tempfile::TempDir;

fn run(root: &Path, args: &[&str]) -> std::process::Output {
    ispbills(root).args(args).output().unwrap()
}

fn ok(root: &Path, args: &[&str]) -> String {
    let out = run(root, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn add_admin(root: &Path, email: &str) {
    ok(
        root,
        &[
            "admin",
            "create",
            "--email",
            email,
            "--name",
            "Admin",
            "--password",
            "a long enough password",
        ],
    );
}

fn staff_emails(db: &Path) -> Vec<String> {
    let c = Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT email FROM staff_users ORDER BY email")
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn backups_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn rotated_backups_keep_n_and_a_restore_round_trips() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    let data = root.join("data");
    add_admin(root, "first@isp.example");

    let out = ok(root, &["backup"]);
    assert!(out.contains("backup written to"), "{out}");
    let first = backups_in(&data.join("backups"));
    assert_eq!(first.len(), 1);
    let first = first[0].clone();
    let name = first.file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("ispbills-") && name.ends_with("Z.db"),
        "{name}"
    );

    add_admin(root, "second@isp.example");
    // Keep 2: the third backup removes the first.
    for _ in 0..2 {
        std::thread::sleep(std::time::Duration::from_millis(5));
        let out = ispbills(root)
            .env("ISPBILLS_BACKUP__KEEP", "2")
            .arg("backup")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let kept = backups_in(&data.join("backups"));
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(!kept.contains(&first));
    assert_eq!(
        staff_emails(&kept[0]),
        ["first@isp.example", "second@isp.example"]
    );

    // Restore an older copy (the first, saved aside before it was rotated out).
    let saved = root.join("saved.db");
    ok(root, &["backup", "--out", saved.to_str().unwrap()]);
    add_admin(root, "third@isp.example");
    let out = ok(root, &["restore", "--from", saved.to_str().unwrap()]);
    assert!(out.contains("schema version"), "{out}");
    assert!(out.contains("is kept as"), "{out}");
    assert_eq!(
        staff_emails(&data.join("ispbills.db")),
        ["first@isp.example", "second@isp.example"]
    );
    let aside: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_str().unwrap().contains("before-restore-"))
        .filter(|p| !p.to_str().unwrap().ends_with("-wal"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        staff_emails(&aside[0]),
        [
            "first@isp.example",
            "second@isp.example",
            "third@isp.example"
        ],
        "the replaced database is whole"
    );
    assert!(ok(root, &["check"]).contains("ok"));
    assert!(!data.join("ispbills.db.restore-partial").exists());
}

fn start_serving(root: &Path) -> Child {
    let mut child = ispbills(root)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // (the log goes to stdout too)
    let listening = lines
        .by_ref()
        .take(200)
        .map(Result::unwrap)
        .any(|l| l.contains("is listening on"));
    assert!(listening, "serve did not start");
    // Keep reading in the background so the pipe never fills.
    std::thread::spawn(move || for _ in lines {});
    child
}

#[test]
fn restore_refuses_a_live_server_and_bad_files() {
    let dir = TempDir::new().unwrap();
    let root = dir.path();
    let data = root.join("data");
    add_admin(root, "owner@isp.example");
    let good = root.join("good.db");
    ok(root, &["backup", "--out", good.to_str().unwrap()]);

    let mut server = start_serving(root);
    let out = run(root, &["restore", "--from", good.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("stop it first"), "{}", stderr(&out));
    // Nor can a second server share the directory.
    let out = run(root, &["serve", "--listen", "127.0.0.1:0"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("another ispbills is serving"),
        "{}",
        stderr(&out)
    );
    server.kill().unwrap();
    server.wait().unwrap();

    let refused = |file: &Path, why: &str| {
        let out = run(root, &["restore", "--from", file.to_str().unwrap()]);
        assert!(!out.status.success(), "{} was restored", file.display());
        assert!(stderr(&out).contains(why), "{why}: {}", stderr(&out));
        assert_eq!(
            staff_emails(&data.join("ispbills.db")),
            ["owner@isp.example"]
        );
        assert!(!data.join("ispbills.db.restore-partial").exists());
    };
    refused(&root.join("missing.db"), "is not a file");
    let garbage = root.join("garbage.db");
    std::fs::write(&garbage, vec![0x42u8; 8192]).unwrap();
    refused(&garbage, "is not an ispbills database");
    let other = root.join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    refused(&other, "not an ispbills database");
    let newer = root.join("newer.db");
    std::fs::copy(&good, &newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 9999)
        .unwrap();
    refused(&newer, "made by a newer ispbills");
    let broken = root.join("broken.db");
    std::fs::copy(&good, &broken).unwrap();
    Connection::open(&broken)
        .unwrap()
        .execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO staff_sessions (staff_user_id, token_hash, created_at, expires_at)
             VALUES (4242, 'x', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z');",
        )
        .unwrap();
    refused(&broken, "damaged");

    // The good one restores once the server is gone, and serves again.
    ok(root, &["restore", "--from", good.to_str().unwrap()]);
    let mut server = start_serving(root);
    server.kill().unwrap();
    server.wait().unwrap();
}
