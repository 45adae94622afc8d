//! The phone system's side of the cluster (R17, seed Table 3-2): how many
//! ports each server has, which server a call is offered first, and whether a
//! full server's call overflows to the other.
//!
//! ```text
//!  integration  phone-side ports  ports/server  routing           one server left
//!  sccp         2 × ports         ports         subscriber_first  ports
//!  sip_trunk    —                 ⌈ports/2⌉     round_robin       ⌈ports/2⌉
//!  pimg_timg    ports (shared)    ports         round_robin       ports
//!  sip_other    —                 ⌈ports/2⌉     round_robin       ⌈ports/2⌉
//! ```
//! sccp's phone-side port devices are bound half to each server, so they add no
//! constraint beyond the servers' own ports; pimg_timg's gateway ports are one
//! pool that every call needs, whichever server answers it.

use crate::scenario::{Integration, PhoneSystem, Routing};

/// The resolved strategy: capacities, routing and overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhonePlan {
    /// Voice-messaging ports on the publisher and the subscriber.
    pub server_ports: [u32; 2],
    /// Phone-side ports every call needs, when they are a shared pool.
    pub shared_ports: Option<u32>,
    pub routing: Routing,
    pub overflow: bool,
}

impl PhonePlan {
    pub fn new(p: &PhoneSystem) -> Self {
        let half = p.ports.div_ceil(2);
        let (server_ports, shared_ports, routing) = match p.integration {
            Integration::Sccp => ([p.ports; 2], None, Routing::SubscriberFirst),
            Integration::SipTrunk => ([half; 2], None, Routing::RoundRobin),
            Integration::PimgTimg => ([p.ports; 2], Some(p.ports), Routing::RoundRobin),
            Integration::SipOther => ([half; 2], None, Routing::RoundRobin),
        };
        let (server_ports, shared_ports) = match p.allocation {
            Some(a) => ([a.publisher, a.subscriber], a.phone_system),
            None => (server_ports, shared_ports),
        };
        PhonePlan { server_ports, shared_ports, routing: p.routing.unwrap_or(routing), overflow: p.overflow }
    }

    /// The number of calls the whole system can carry at once.
    pub fn total_capacity(&self) -> u32 {
        let servers = self.server_ports[0] + self.server_ports[1];
        self.shared_ports.map_or(servers, |s| s.min(servers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Allocation;

    fn plan(integration: Integration, ports: u32) -> PhonePlan {
        PhonePlan::new(&PhoneSystem { integration, ports, ..PhoneSystem::default() })
    }

    #[test]
    fn r17_presets_follow_table_3_2() {
        assert_eq!(plan(Integration::Sccp, 16).server_ports, [16, 16]);
        assert_eq!(plan(Integration::Sccp, 16).routing, Routing::SubscriberFirst);
        assert_eq!(plan(Integration::SipTrunk, 16).server_ports, [8, 8]);
        assert_eq!(plan(Integration::SipTrunk, 15).server_ports, [8, 8], "ports / 2 rounds up");
        assert_eq!(plan(Integration::PimgTimg, 16).shared_ports, Some(16));
        assert_eq!(plan(Integration::PimgTimg, 16).total_capacity(), 16);
        assert_eq!(plan(Integration::SipOther, 16).total_capacity(), 16);
        assert_eq!(plan(Integration::Sccp, 16).total_capacity(), 32);
    }

    #[test]
    fn r17_custom_allocation_and_routing_override_the_preset() {
        let p = PhonePlan::new(&PhoneSystem {
            allocation: Some(Allocation { publisher: 8, subscriber: 12, phone_system: Some(20) }),
            routing: Some(Routing::LeastBusy),
            ..PhoneSystem::default()
        });
        assert_eq!(p.server_ports, [8, 12]);
        assert_eq!(p.shared_ports, Some(20));
        assert_eq!(p.routing, Routing::LeastBusy);
    }
}
