//! radclient (freeradius-utils): a RADIUS client no one here wrote, whose
//! FreeRADIUS dictionaries decode the appliance's answers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::Write,
    net::SocketAddr,
    process::{Command, Stdio},
};

/// Sends `attrs` with radclient `command` (auth, acct) and extra options;
/// whether an Access-Accept or Accounting-Response came back, and what
/// radclient printed.
pub fn radclient_cmd(
    addr: SocketAddr,
    command: &str,
    attrs: &str,
    secret: &str,
    extra: &[&str],
) -> (bool, String) {
    let mut args = vec!["-x", "-r", "1", "-t", "2"];
    args.extend_from_slice(extra);
    let addr = addr.to_string();
    args.extend_from_slice(&[&addr, command, secret]);
    let mut child = Command::new("radclient")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("radclient (freeradius-utils) is installed; scripts/test installs it");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(attrs.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (
        text.contains("Received Access-Accept") || text.contains("Received Accounting-Response"),
        text,
    )
}
