//! The rows of the trace files, as serde structs shared by the writers and
//! every reader (charts, report, merge), so a column is named in one place.
//!
//! | file | columns |
//! |---|---|
//! | `status.csv` | `replication,time_s,server,from,to,cause` |
//! | `events.csv` | `replication,time_s,server,event,detail,cause,link,service,status,count` |
//! | `load.csv` | `replication,start_s,width_s,publisher_peak,subscriber_peak,blocked,dropped,mailbox_unavailable` |
//!
//! `events.csv` keeps its five documented columns first; the typed fields after
//! `detail` are what code reads (see [`crate::model::trace::Fields`]): empty
//! where an event has no such fact.

use crate::engine::{SECOND, Time};
use crate::model::trace::{Event, Links, LoadBin, StatusChange};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// A time written in seconds exactly (`3600`, `12.5`, `0.000001`) and read
/// back to the microsecond, without a float in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Seconds(pub Time);

impl Seconds {
    pub fn as_f64(self) -> f64 {
        crate::engine::to_secs(self.0)
    }

    /// Parses what [`super::fmt_secs`] writes: digits, optionally a point
    /// and up to six decimals.
    pub fn parse(text: &str) -> Option<Seconds> {
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || (text.contains('.') && !digits(frac)) || frac.len() > 6 {
            return None;
        }
        let whole: u64 = whole.parse().ok()?;
        let frac: u64 = if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse().ok()? };
        SECOND.checked_mul(whole)?.checked_add(Time::from_us(frac)).map(Seconds)
    }
}

impl Serialize for Seconds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::fmt_secs(self.0))
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text: &str = Deserialize::deserialize(d)?;
        Seconds::parse(text).ok_or_else(|| de::Error::custom(format!("`{text}` is not a time in seconds")))
    }
}

/// A row of `status.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRow<'a> {
    pub replication: u64,
    pub time_s: Seconds,
    pub server: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub cause: &'a str,
}

impl<'a> StatusRow<'a> {
    pub fn of(replication: u64, s: &StatusChange) -> StatusRow<'static> {
        StatusRow {
            replication,
            time_s: Seconds(s.at),
            server: s.actor.as_str(),
            from: s.from.as_str(),
            to: s.to.as_str(),
            cause: s.cause,
        }
    }
}

/// A row of `events.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow<'a> {
    pub replication: u64,
    pub time_s: Seconds,
    pub server: &'a str,
    pub event: &'a str,
    pub detail: &'a str,
    // The typed fields are read as empty from a file written before they
    // existed (SPEC §5's five columns).
    #[serde(default)]
    pub cause: &'a str,
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub service: &'a str,
    #[serde(default)]
    pub status: &'a str,
    #[serde(default)]
    pub count: Option<u64>,
}

impl<'a> EventRow<'a> {
    pub fn of(replication: u64, e: &'a Event) -> EventRow<'a> {
        let f = &e.fields;
        EventRow {
            replication,
            time_s: Seconds(e.at),
            server: e.actor.as_str(),
            event: e.kind.as_str(),
            detail: &e.detail,
            cause: f.cause.unwrap_or(""),
            link: f.links.to_field(),
            service: f.service.map_or("", |s| s.as_str()),
            status: f.status.map_or("", |s| s.as_str()),
            count: f.count,
        }
    }

    /// The `link` column as links.
    pub fn links(&self) -> Option<Links> {
        Links::parse(&self.link)
    }
}

/// A row of `load.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadRow {
    pub replication: u64,
    pub start_s: Seconds,
    pub width_s: Seconds,
    pub publisher_peak: u32,
    pub subscriber_peak: u32,
    pub blocked: u32,
    pub dropped: u32,
    pub mailbox_unavailable: u32,
}

impl LoadRow {
    pub fn of(replication: u64, width: Time, bin: &LoadBin) -> LoadRow {
        LoadRow {
            replication,
            start_s: Seconds(bin.start),
            width_s: Seconds(width),
            publisher_peak: bin.peak[0],
            subscriber_peak: bin.peak[1],
            blocked: bin.blocked,
            dropped: bin.dropped,
            mailbox_unavailable: bin.mailbox_unavailable,
        }
    }
}

/// The header line serde writes for a row type (its field names in order).
pub fn header_of<T: Serialize>(example: &T) -> String {
    let mut w = csv::WriterBuilder::new().has_headers(true).from_writer(vec![]);
    w.serialize(example).expect("a row serialises");
    let bytes = w.into_inner().expect("in memory");
    String::from_utf8_lossy(&bytes).lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::trace::{Actor, EventKind, Fields, State};
    use crate::scenario::{Service, Status};

    #[test]
    fn seconds_are_written_and_read_exactly() {
        for (text, us) in [("3600", 3_600_000_000), ("12.5", 12_500_000), ("0.000001", 1), ("0", 0)] {
            assert_eq!(Seconds::parse(text), Some(Seconds(Time::from_us(us))), "{text}");
            assert_eq!(super::super::fmt_secs(Time::from_us(us)), text);
        }
        for bad in ["", "-1", "1e3", "1.", ".5", "1.0000001", "nan", "1,5"] {
            assert_eq!(Seconds::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_event_row_round_trips_its_typed_fields() {
        let event = Event {
            at: Time::from_us(3_600_500_000),
            actor: Actor::Cluster,
            kind: EventKind::Partition,
            fields: Fields { links: Links::of([(0, 1), (1, 0)]), ..Fields::cause("timeline") },
            detail: "publisher–subscriber cut (timeline)".into(),
        };
        let row = EventRow::of(2, &event);
        let mut w = csv::Writer::from_writer(vec![]);
        w.serialize(&row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            "replication,time_s,server,event,detail,cause,link,service,status,count\n\
             2,3600.5,cluster,partition,publisher–subscriber cut (timeline),timeline,publisher-subscriber,,,\n"
        );
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let headers = r.headers().unwrap().clone();
        let record = r.records().next().unwrap().unwrap();
        let back: EventRow = record.deserialize(Some(&headers)).unwrap();
        assert_eq!(back, row);
        assert_eq!(back.links(), Some(event.fields.links));
        let service =
            Fields { status: Some(State::Server(Status::Primary)), ..Fields::service(Service::Database, "random") };
        let e = Event { fields: service, ..event };
        let row = EventRow::of(0, &e);
        assert_eq!((row.service, row.status, row.cause), ("database", "primary", "random"));
    }
}
