//! IP pool use: how many addresses of a pool's ranges are taken by active
//! sessions or static assignments.

use std::net::Ipv4Addr;

/// Parses `10.0.0.2-10.0.0.254,10.1.0.0/24` into inclusive ranges.
pub fn parse_ranges(text: &str) -> Vec<(u32, u32)> {
    text.split(',')
        .filter_map(|part| {
            let part = part.trim();
            if let Some((a, b)) = part.split_once('-') {
                let a: Ipv4Addr = a.trim().parse().ok()?;
                let b: Ipv4Addr = b.trim().parse().ok()?;
                Some((u32::from(a), u32::from(b)))
            } else if let Some((net, bits)) = part.split_once('/') {
                let net: Ipv4Addr = net.trim().parse().ok()?;
                let bits: u32 = bits.trim().parse().ok().filter(|b| *b <= 32)?;
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                let start = u32::from(net) & mask;
                Some((start, start | !mask))
            } else {
                let a: Ipv4Addr = part.parse().ok()?;
                Some((u32::from(a), u32::from(a)))
            }
        })
        .filter(|(a, b)| a <= b)
        .collect()
}

/// Addresses in the ranges.
pub fn size(ranges: &[(u32, u32)]) -> i64 {
    ranges.iter().map(|(a, b)| i64::from(b - a) + 1).sum()
}

/// How many distinct `addresses` fall in the ranges.
pub fn used<'a>(ranges: &[(u32, u32)], addresses: impl Iterator<Item = &'a str>) -> i64 {
    let mut seen: Vec<u32> = addresses
        .filter_map(|a| a.split('/').next()?.trim().parse::<Ipv4Addr>().ok())
        .map(u32::from)
        .filter(|ip| ranges.iter().any(|(a, b)| a <= ip && ip <= b))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    i64::try_from(seen.len()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_sizes_and_use() {
        let r = parse_ranges("10.0.0.2-10.0.0.254, 10.1.0.0/24,192.168.1.9,bogus");
        assert_eq!(r.len(), 3);
        assert_eq!(size(&r), 253 + 256 + 1);
        let addrs = [
            "10.0.0.2",
            "10.0.0.2",
            "10.1.0.77",
            "172.16.0.1",
            "192.168.1.9/32",
        ];
        assert_eq!(used(&r, addrs.into_iter()), 3);
    }
}
