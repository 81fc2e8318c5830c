//! The built-in RADIUS server (`[radius]`): routers with a RADIUS secret are
//! its clients (NAS); PPPoE and hotspot customers authenticate with PAP,
//! CHAP or MS-CHAPv2 against their sealed login passwords, and the routers'
//! accounting becomes sessions.
//!
//! This module is the UDP adapter ([`server`]); what it speaks is in
//! `drivers::radius` (packet format, crypto), what it decides in
//! `network::radius_policy` (pure), its settings in
//! `network::radius_config`, and its reads and writes in `ops::radius`.

pub mod coa;
pub mod server;
