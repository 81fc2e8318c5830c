//! The RouterOS simulator of the integration tests (tests/common/routeros_sim.rs:
//! the binary API protocol, written independently of the crate's client) as a
//! process, for the browser tests: `routeros_sim <username> <password>` listens
//! on free loopback ports, prints `routeros sim listening on 127.0.0.1:PORT`
//! (the API) and `routeros sim rest on http://127.0.0.1:PORT` (the REST front
//! end over the same state, with which a test plays the router's own admin),
//! and runs until killed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/common/routeros_sim.rs"]
mod routeros_sim;

use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(username), Some(password)) = (args.next(), args.next()) else {
        eprintln!("usage: routeros_sim <username> <password>");
        std::process::exit(2);
    };
    let sim = routeros_sim::SimRouter::start(routeros_sim::SimConfig {
        username,
        password,
        ..Default::default()
    });
    println!("routeros sim listening on {}", sim.addr);
    println!("routeros sim rest on {}", sim.start_rest());
    std::io::stdout().flush().unwrap();
    loop {
        std::thread::park();
    }
}
