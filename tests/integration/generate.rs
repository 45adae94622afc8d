//! Random but valid voice scenarios, written as YAML so that generated cases
//! also exercise the parser. Used by the seed sweep and the keepalive oracle.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

const SERVERS: [&str; 2] = ["publisher", "subscriber"];
const SERVICES: [&str; 4] = ["conversation_manager", "database", "replication", "mailbox_sync"];
const LINKS: [(&str, &str); 5] = [
    ("publisher", "subscriber"),
    ("publisher", "phone_system"),
    ("subscriber", "phone_system"),
    ("publisher", "network"),
    ("subscriber", "network"),
];
const ADMIN: [&str; 5] = ["make_primary", "stop_taking_calls", "resume_taking_calls", "deactivate", "activate"];
const INTEGRATIONS: [&str; 4] = ["sccp", "sip_trunk", "pimg_timg", "sip_other"];
const ROUTINGS: [&str; 5] = ["subscriber_first", "publisher_first", "round_robin", "random", "least_busy"];

fn pick<'a>(r: &mut ChaCha8Rng, xs: &[&'a str]) -> &'a str {
    xs[r.random_range(0..xs.len())]
}

/// A scenario of `hours` hours exercising every kind of fault.
pub fn scenario(case: u64, hours: u64) -> String {
    let mut r = ChaCha8Rng::seed_from_u64(case);
    let mut y = String::new();
    let horizon_s = hours * 3600;
    writeln!(y, "duration: {hours}h\nseed: {case}").unwrap();
    let interval = r.random_range(2..=20u64);
    let timeout = interval + r.random_range(1..=40u64);
    writeln!(
        y,
        "cluster:\n  keepalive: {{interval: {interval}s, timeout: {timeout}s}}\n  takeover: {}s\n  starting: {}s\n  \
         replicating: {}s\n  split_brain_recovery: {}s\n  message_store_unmount: {}s\n  publisher_reclaims_primary: {}",
        r.random_range(0..=10u64),
        r.random_range(0..=300u64),
        r.random_range(0..=200u64),
        r.random_range(0..=300u64),
        r.random_range(0..=60u64),
        r.random_bool(0.7)
    )
    .unwrap();
    let initial = [
        ("primary", "secondary"),
        ("secondary", "primary"),
        ("primary", "primary"),
        ("primary", "deactivated"),
        ("not_functioning", "secondary"),
        ("secondary", "deactivated"),
        ("deactivated", "secondary"),
    ];
    if r.random_bool(0.2) {
        let (p, s) = initial[r.random_range(0..initial.len())];
        writeln!(y, "  initial: {{publisher: {p}, subscriber: {s}}}").unwrap();
    }
    write!(y, "phone_system: {{integration: {}, ports: {}", pick(&mut r, &INTEGRATIONS), r.random_range(1..=24u32))
        .unwrap();
    if r.random_bool(0.3) {
        write!(y, ", routing: {}", pick(&mut r, &ROUTINGS)).unwrap();
    }
    if r.random_bool(0.2) {
        write!(
            y,
            ", allocation: {{publisher: {}, subscriber: {}, phone_system: {}}}",
            r.random_range(0..=10u32),
            r.random_range(1..=10u32),
            r.random_range(1..=16u32)
        )
        .unwrap();
    }
    writeln!(y, ", overflow: {}, dead_server_detect: {}s}}", r.random_bool(0.8), r.random_range(0..=20u32)).unwrap();
    writeln!(
        y,
        "traffic: {{calls_per_hour: {}, leave_message: {}, hold_time: {{mean: {}s}}}}",
        r.random_range(0..=1500u32),
        r.random_range(0..=10u32) as f64 / 10.0,
        r.random_range(10..=200u32)
    )
    .unwrap();
    let entries = r.random_range(0..=12usize);
    if entries > 0 {
        writeln!(y, "failures:").unwrap();
    }
    for _ in 0..entries {
        let at = r.random_range(0..horizon_s);
        let server = pick(&mut r, &SERVERS);
        let action = match r.random_range(0..10u32) {
            0 => format!("crash: {server}"),
            1 => format!("restart: {server}"),
            2 => {
                let (a, b) = LINKS[r.random_range(0..LINKS.len())];
                match r.random_range(0..3u32) {
                    0 => format!("partition: {{from: {a}, to: {b}}}"),
                    1 => format!("partition: {{from: {b}, to: {a}}}"),
                    _ => format!("partition: [{a}, {b}]"),
                }
            }
            3 => format!("isolate: {server}"),
            4 => {
                let (a, b) = LINKS[r.random_range(0..LINKS.len())];
                if r.random_bool(0.5) { "heal: all".to_string() } else { format!("heal: [{a}, {b}]") }
            }
            5 => format!("stop_service: {{server: {server}, service: {}}}", pick(&mut r, &SERVICES)),
            6 => format!("start_service: {{server: {server}, service: {}}}", pick(&mut r, &SERVICES)),
            7 | 8 => format!("admin: {{server: {server}, action: {}}}", pick(&mut r, &ADMIN)),
            _ => format!("replicate: {server}"),
        };
        let heals = ["crash", "partition", "isolate", "stop_service"].iter().any(|k| action.starts_with(k))
            || action.contains("stop_taking_calls")
            || action.contains("deactivate");
        let lasting = if heals && r.random_bool(0.7) {
            format!(", for: {}s", r.random_range(1..=3600u32))
        } else {
            String::new()
        };
        writeln!(y, "  - {{at: {at}s, {action}{lasting}}}").unwrap();
    }
    if r.random_bool(0.7) {
        writeln!(y, "random_failures:").unwrap();
        if r.random_bool(0.7) {
            writeln!(y, "  crash: {{mtbf: {}h, mttr: {}m}}", r.random_range(1..=20u32), r.random_range(1..=60u32))
                .unwrap();
        }
        if r.random_bool(0.7) {
            let (a, b) = LINKS[r.random_range(0..LINKS.len())];
            writeln!(
                y,
                "  partition: {{mtbf: {}h, mttr: {}m, link: [{a}, {b}]}}",
                r.random_range(1..=20u32),
                r.random_range(1..=30u32)
            )
            .unwrap();
        }
        if r.random_bool(0.7) {
            writeln!(
                y,
                "  service: {{mtbf: {}h, mttr: {}m, service: {}}}",
                r.random_range(1..=20u32),
                r.random_range(1..=30u32),
                pick(&mut r, &SERVICES)
            )
            .unwrap();
        }
    }
    y
}
