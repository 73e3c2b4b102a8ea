//! Who a participant id names: a person within the organisation that recorded it (the
//! default: partners number their own people 1, 2, 3 …), within a programme (a
//! programme's case-management ids), or everywhere (a shared id, such as a hashed
//! national one). Distinct people and cohort follow-ups link records by this identity.

use serde::Deserialize;

/// How far a participant id reaches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantScope {
    /// An id names a person within the organisation that recorded it.
    #[default]
    Organisation,
    /// An id names a person within a programme, whichever partner recorded it.
    Programme,
    /// An id names the same person in every record (ids shared across the data).
    Shared,
}

impl ParticipantScope {
    /// As `impact.toml` and `--participant-ids` write it.
    pub fn parse(text: &str) -> Option<ParticipantScope> {
        match text {
            "organisation" => Some(ParticipantScope::Organisation),
            "programme" => Some(ParticipantScope::Programme),
            "shared" => Some(ParticipantScope::Shared),
            _ => None,
        }
    }

    /// In words, for documents: "within each organisation".
    pub fn words(self) -> &'static str {
        match self {
            ParticipantScope::Organisation => {
                "within each organisation (the same id in two organisations is two people)"
            }
            ParticipantScope::Programme => "within each programme (the same id in two programmes is two people)",
            ParticipantScope::Shared => "across all the data (the same id is the same person everywhere)",
        }
    }

    /// A person's 64-bit identity: the id's hash, seeded by the organisation or the
    /// programme the scope says it belongs to.
    pub fn person64(self, organisation: Option<&str>, programme: Option<&str>, participant: &str) -> u64 {
        xxhash_rust::xxh3::xxh3_64_with_seed(participant.as_bytes(), self.seed(organisation, programme))
    }

    /// A person's 128-bit identity (for distinct counts, where collisions must be rarer).
    pub fn person128(self, organisation: Option<&str>, programme: Option<&str>, participant: &str) -> u128 {
        let seed = self.seed(organisation, programme);
        match seed {
            0 => xxhash_rust::xxh3::xxh3_128(participant.as_bytes()),
            seed => xxhash_rust::xxh3::xxh3_128_with_seed(participant.as_bytes(), seed),
        }
    }

    fn seed(self, organisation: Option<&str>, programme: Option<&str>) -> u64 {
        let within = match self {
            ParticipantScope::Organisation => organisation,
            ParticipantScope::Programme => programme,
            ParticipantScope::Shared => return 0,
        };
        // 1 + the unit's hash: never 0, the seed of a shared id.
        xxhash_rust::xxh3::xxh3_64(within.unwrap_or("").as_bytes()) | 1
    }

    /// Whether identity depends on the record's organisation or programme.
    pub fn needs(self) -> (bool, bool) {
        (self == ParticipantScope::Organisation, self == ParticipantScope::Programme)
    }
}

#[cfg(test)]
mod tests {
    use super::ParticipantScope::*;

    #[test]
    fn the_same_id_in_two_organisations_is_two_people_unless_shared() {
        assert_ne!(Organisation.person64(Some("A"), None, "1"), Organisation.person64(Some("B"), None, "1"));
        assert_eq!(Organisation.person64(Some("A"), Some("P"), "1"), Organisation.person64(Some("A"), Some("Q"), "1"));
        assert_ne!(Programme.person64(Some("A"), Some("P"), "1"), Programme.person64(Some("A"), Some("Q"), "1"));
        assert_eq!(Programme.person64(Some("A"), Some("P"), "1"), Programme.person64(Some("B"), Some("P"), "1"));
        assert_eq!(Shared.person64(Some("A"), None, "1"), Shared.person64(Some("B"), None, "1"));
        assert_ne!(Organisation.person128(Some("A"), None, "1"), Organisation.person128(Some("B"), None, "1"));
    }
}
