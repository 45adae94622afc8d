//! Links in timeline entries: `[A, B]` cuts (or heals) both directions,
//! `{from: A, to: B}` only the messages from A to B (STYLE practice 3).

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::borrow::Cow;
use std::fmt;

/// The nodes that links join: the two servers, the phone system, and the
/// network (the other hosts a server pings to check its own connectivity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    Publisher,
    Subscriber,
    PhoneSystem,
    Network,
}

impl Node {
    pub fn as_str(self) -> &'static str {
        match self {
            Node::Publisher => "publisher",
            Node::Subscriber => "subscriber",
            Node::PhoneSystem => "phone_system",
            Node::Network => "network",
        }
    }
}

/// A link of the voice cluster, in both directions or in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSpec {
    pub from: Node,
    pub to: Node,
    /// Only messages from `from` to `to` are affected.
    pub one_way: bool,
}

impl LinkSpec {
    pub fn describe(&self) -> String {
        let arrow = if self.one_way { "→" } else { "–" };
        format!("{}{arrow}{}", self.from.as_str(), self.to.as_str())
    }
}

fn from_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<LinkSpec, A::Error> {
    let mut nodes = vec![];
    while let Some(node) = seq.next_element::<Node>()? {
        nodes.push(node);
    }
    match nodes[..] {
        [a, b] => Ok(LinkSpec { from: a, to: b, one_way: false }),
        _ => {
            Err(de::Error::custom(format!("a link names two nodes, e.g. [publisher, subscriber], not {}", nodes.len())))
        }
    }
}

fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<LinkSpec, A::Error> {
    let (mut from, mut to) = (None, None);
    while let Some(key) = map.next_key::<String>()? {
        match key.as_str() {
            "from" => from = Some(map.next_value::<Node>()?),
            "to" => to = Some(map.next_value::<Node>()?),
            other => return Err(de::Error::unknown_field(other, &["from", "to"])),
        }
    }
    match (from, to) {
        (Some(from), Some(to)) => Ok(LinkSpec { from, to, one_way: true }),
        (None, _) => Err(de::Error::missing_field("from")),
        (_, None) => Err(de::Error::missing_field("to")),
    }
}

const EXPECTING: &str = "a link: [A, B] for both directions or {from: A, to: B} for one";

impl<'de> Deserialize<'de> for LinkSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LinkVisitor;
        impl<'de> Visitor<'de> for LinkVisitor {
            type Value = LinkSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTING)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<LinkSpec, A::Error> {
                from_seq(seq)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<LinkSpec, A::Error> {
                from_map(map)
            }
        }
        deserializer.deserialize_any(LinkVisitor)
    }
}

impl Serialize for LinkSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.one_way {
            let mut map = s.serialize_map(Some(2))?;
            map.serialize_entry("from", &self.from)?;
            map.serialize_entry("to", &self.to)?;
            map.end()
        } else {
            let mut seq = s.serialize_seq(Some(2))?;
            seq.serialize_element(&self.from)?;
            seq.serialize_element(&self.to)?;
            seq.end()
        }
    }
}

impl JsonSchema for LinkSpec {
    fn schema_name() -> Cow<'static, str> {
        "Link".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let node = generator.subschema_for::<Node>();
        let described = |text: &str| {
            let mut schema = node.clone();
            schema.insert("description".into(), text.into());
            schema
        };
        json_schema!({
            "description": "A link between two of publisher, subscriber, phone_system and network (every pair \
                but phone_system–network): [A, B] for both directions, {from: A, to: B} for the messages \
                from A to B only.",
            "oneOf": [
                {
                    "description": "Both directions of the link.",
                    "type": "array",
                    "items": node,
                    "minItems": 2,
                    "maxItems": 2,
                },
                {
                    "description": "One direction of the link: the messages from `from` to `to`.",
                    "type": "object",
                    "properties": {
                        "from": described("The node the affected messages leave."),
                        "to": described("The node the affected messages go to."),
                    },
                    "required": ["from", "to"],
                    "additionalProperties": false,
                },
            ],
        })
    }
}

/// What `heal:` restores: every link, or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealTarget {
    All,
    Link(LinkSpec),
}

impl<'de> Deserialize<'de> for HealTarget {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HealVisitor;
        impl<'de> Visitor<'de> for HealVisitor {
            type Value = HealTarget;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "`all` or {EXPECTING}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HealTarget, E> {
                if v == "all" {
                    Ok(HealTarget::All)
                } else {
                    Err(E::custom(format!("heal `{v}`: write `all`, or a link such as [publisher, subscriber]")))
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<HealTarget, A::Error> {
                from_seq(seq).map(HealTarget::Link)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<HealTarget, A::Error> {
                from_map(map).map(HealTarget::Link)
            }
        }
        deserializer.deserialize_any(HealVisitor)
    }
}

impl JsonSchema for HealTarget {
    fn schema_name() -> Cow<'static, str> {
        "HealTarget".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let link = generator.subschema_for::<LinkSpec>();
        json_schema!({
            "description": "`all` to heal every cut link, or one link: [A, B] (both directions) or \
                {from: A, to: B} (one).",
            "oneOf": [
                {"description": "Every cut link, in both directions.", "const": "all"},
                link,
            ],
        })
    }
}

impl Serialize for HealTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            HealTarget::All => s.serialize_str("all"),
            HealTarget::Link(link) => link.serialize(s),
        }
    }
}
