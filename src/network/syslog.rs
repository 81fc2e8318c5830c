//! A built-in UDP syslog receiver for router logs (off unless
//! `[routers] syslog_listen` is set): each datagram is kept with the router
//! that sent it, in the router, hotspot or ppp-auth log by its topics.

use std::{net::SocketAddr, sync::Arc};

use tokio::net::UdpSocket;

use super::{hub::RouterHub, poller::categorize};
use crate::{
    clock::format_timestamp,
    shutdown::{stopped, StopSignal},
    store::router_data::{self, NewLog},
};

/// Topics and message of a RouterOS syslog line: `<PRI>[timestamp host ]topics message`
/// where RouterOS writes `topic,topic message`.
pub fn parse(datagram: &str) -> (String, String) {
    let mut text = datagram.trim();
    if let Some(rest) = text.strip_prefix('<') {
        if let Some((_, after)) = rest.split_once('>') {
            text = after;
        }
    }
    // An RFC 3164 header: "Mmm dd hh:mm:ss host ".
    let words: Vec<&str> = text.splitn(5, ' ').collect();
    if words.len() == 5 && words[2].matches(':').count() == 2 {
        text = words[4];
    } else if words.len() >= 4 && words[1].is_empty() && words[3].matches(':').count() == 2 {
        // "Mmm  d hh:mm:ss host " (day padded with a space).
        text = text.splitn(6, ' ').nth(5).unwrap_or(text);
    }
    let (first, rest) = text.split_once(' ').unwrap_or((text, ""));
    if first.contains(',')
        || ["system", "info", "error", "warning", "critical", "debug"].contains(&first)
    {
        (first.to_string(), rest.trim().to_string())
    } else {
        (String::new(), text.to_string())
    }
}

pub async fn receiver(hub: Arc<RouterHub>, addr: SocketAddr, mut stop: StopSignal) {
    let socket = match UdpSocket::bind(addr).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(%addr, error = %e, "syslog: cannot listen");
            return;
        }
    };
    tracing::info!(%addr, "syslog receiver listening");
    let mut buf = vec![0u8; 8192];
    loop {
        tokio::select! {
            got = socket.recv_from(&mut buf) => {
                let Ok((n, from)) = got else { continue };
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                let (topics, message) = parse(&text);
                let host = from.ip().to_string();
                let now = format_timestamp(hub.clock.now());
                let kept = hub.db.write_async(move |tx| {
                    let router_id = router_data::router_by_host(tx, &host)?;
                    router_data::insert_logs(tx, &[NewLog {
                        router_id,
                        source: "syslog",
                        host: Some(host),
                        category: categorize(&topics),
                        topics,
                        message,
                        logged_at: now,
                    }], None)
                }).await;
                if let Err(e) = kept {
                    tracing::error!(error = %e, "syslog: keeping a line failed");
                }
            }
            _ = stopped(&mut stop) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routeros_lines() {
        assert_eq!(
            parse("<30>Mar 15 10:30:00 core-router pppoe,ppp,info <pppoe-karim>: authenticated"),
            (
                "pppoe,ppp,info".into(),
                "<pppoe-karim>: authenticated".into()
            )
        );
        assert_eq!(
            parse("<30>hotspot,info,debug 10.5.50.2 (alice): logged in"),
            (
                "hotspot,info,debug".into(),
                "10.5.50.2 (alice): logged in".into()
            )
        );
        assert_eq!(
            parse("<13>Mar  5 01:02:03 r1 system,error,critical router rebooted"),
            ("system,error,critical".into(), "router rebooted".into())
        );
        assert_eq!(parse("plain text"), (String::new(), "plain text".into()));
    }
}
