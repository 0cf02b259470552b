//! Where an IP address leads: the public internet, this machine (loopback), or somewhere else
//! inside (private, link-local, reserved), in each of the ways an address can be written.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Where an address leads.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Reach {
    Public,
    Loopback,
    Internal,
}

pub(super) fn reach(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(ip) => reach_v4(ip),
        IpAddr::V6(ip) => reach_v6(ip),
    }
}

fn reach_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        return Reach::Loopback;
    }
    let internal = ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (b & 0xc0) == 64) // shared address space (carrier-grade NAT), 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b & 0xfe) == 18) // benchmarking, 198.18/15
        || a >= 240; // reserved
    if internal {
        Reach::Internal
    } else {
        Reach::Public
    }
}

fn reach_v6(ip: Ipv6Addr) -> Reach {
    if ip.is_loopback() {
        return Reach::Loopback;
    }
    // Addresses that carry an IPv4 address lead where that one does: mapped (::ffff:a.b.c.d),
    // NAT64 (64:ff9b::/96), 6to4 (2002::/16).
    let s = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return reach_v4(v4);
    }
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return reach_v4(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return reach_v4(embedded(s[1], s[2]));
    }
    let internal = ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local, fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local, fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated), fec0::/10
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0) // Teredo: leads anywhere
        || s[0..6] == [0, 0, 0, 0, 0, 0]; // IPv4-compatible (deprecated) and the rest of ::/96
    if internal {
        Reach::Internal
    } else {
        Reach::Public
    }
}
