//! Which of the appliance's inventory a Zabbix host stands for, and so which
//! customers a problem affects. A host matches a router or SNMP device when
//! one of its interfaces' IP or DNS name, its technical host name or its
//! visible name equals the device's address or name (ignoring case).

use crate::{
    drivers::zabbix::{Host, TriggerHost},
    store::inventory::Behind,
};

fn same(a: &str, b: &str) -> bool {
    !a.is_empty() && a.eq_ignore_ascii_case(b)
}

/// The names and addresses Zabbix knows a host by.
fn identities(hostid: &str, host: &str, name: &str, all: &[Host]) -> Vec<String> {
    let mut ids = vec![host.to_string(), name.to_string()];
    if let Some(full) = all.iter().find(|h| h.hostid == hostid) {
        ids.push(full.host.clone());
        ids.push(full.name.clone());
        for i in &full.interfaces {
            ids.push(i.ip.clone());
            ids.push(i.dns.clone());
        }
    }
    ids.retain(|s| !s.trim().is_empty());
    ids
}

/// The inventory entries matching a Zabbix host.
pub fn inventory_of<'a>(
    hostid: &str,
    host: &str,
    name: &str,
    hosts: &[Host],
    inventory: &'a [Behind],
) -> Vec<&'a Behind> {
    let ids = identities(hostid, host, name, hosts);
    inventory
        .iter()
        .filter(|b| ids.iter().any(|id| same(id, &b.host) || same(id, &b.name)))
        .collect()
}

/// The customers behind these inventory entries, sorted, each once.
pub fn customers_of<'a>(entries: impl IntoIterator<Item = &'a Behind>) -> Vec<i64> {
    let mut ids: Vec<i64> = entries
        .into_iter()
        .flat_map(|b| b.customer_ids.iter().copied())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Customers behind the hosts of a problem, sorted, each once.
pub fn affected_customers(
    problem_hosts: &[TriggerHost],
    hosts: &[Host],
    inventory: &[Behind],
) -> Vec<i64> {
    customers_of(
        problem_hosts
            .iter()
            .flat_map(|h| inventory_of(&h.hostid, &h.host, &h.name, hosts, inventory)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drivers::zabbix::HostInterface;

    fn behind(kind: &str, id: i64, name: &str, host: &str, customers: &[i64]) -> Behind {
        Behind {
            kind: kind.into(),
            id,
            name: name.into(),
            host: host.into(),
            customer_ids: customers.to_vec(),
        }
    }

    #[test]
    fn hosts_match_by_interface_address_or_name() {
        let hosts = vec![Host {
            hostid: "1".into(),
            host: "core".into(),
            name: "Core router".into(),
            status: 0,
            interfaces: vec![HostInterface {
                interfaceid: "1".into(),
                ip: "10.0.0.1".into(),
                dns: String::new(),
                kind: 2,
                available: 2,
                error: String::new(),
            }],
            tags: vec![],
        }];
        let inventory = vec![
            behind("router", 1, "Badda core", "10.0.0.1", &[3, 5]),
            behind("olt", 2, "OLT-NORTH", "10.0.1.2", &[5, 7]),
            behind("router", 3, "Unrelated", "10.9.9.9", &[9]),
        ];
        let by_ip = [TriggerHost {
            hostid: "1".into(),
            host: "core".into(),
            name: "Core router".into(),
        }];
        assert_eq!(affected_customers(&by_ip, &hosts, &inventory), [3, 5]);
        // A host Zabbix knows only by name (no interfaces fetched) matches the OLT's name.
        let by_name = [
            by_ip[0].clone(),
            TriggerHost {
                hostid: "99".into(),
                host: "olt-north".into(),
                name: String::new(),
            },
        ];
        assert_eq!(
            affected_customers(&by_name, &hosts, &inventory),
            [3, 5, 7],
            "union, each customer once"
        );
        assert!(affected_customers(&[], &hosts, &inventory).is_empty());
    }
}
