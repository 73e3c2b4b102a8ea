//! The canonical outcome record: one row per recorded outcome (long format).

/// A column of the canonical record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The canonical column name.
    pub name: &'static str,
    /// Every record must have it.
    pub required: bool,
    /// What the column holds.
    pub kind: Kind,
    /// What it means, for `impact template` and messages.
    pub meaning: &'static str,
}

/// The type of a canonical column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (ids, labels).
    Text,
    /// A calendar day.
    Date,
    /// A number.
    Number,
    /// A whole number 1–10 (SIMD decile).
    Decile,
}

/// The canonical record layout.
pub const FIELDS: &[Field] = &[
    Field { name: "record_id", required: false, kind: Kind::Text, meaning: "unique within a dataset" },
    Field { name: "organisation", required: true, kind: Kind::Text, meaning: "who delivered it" },
    Field { name: "programme", required: false, kind: Kind::Text, meaning: "programme, contract or partnership id" },
    Field { name: "indicator", required: true, kind: Kind::Text, meaning: "id in the indicator library" },
    Field { name: "date", required: true, kind: Kind::Date, meaning: "when the outcome happened" },
    Field { name: "value", required: true, kind: Kind::Number, meaning: "quantity in the indicator's unit" },
    Field { name: "participant", required: false, kind: Kind::Text, meaning: "pseudonymous person id" },
    Field { name: "beneficiary_group", required: false, kind: Kind::Text, meaning: "e.g. long_term_unemployed" },
    Field { name: "gender", required: false, kind: Kind::Text, meaning: "disaggregation" },
    Field { name: "age_band", required: false, kind: Kind::Text, meaning: "disaggregation" },
    Field { name: "area", required: false, kind: Kind::Text, meaning: "place code, e.g. a council area" },
    Field {
        name: "simd_decile",
        required: false,
        kind: Kind::Decile,
        meaning: "SIMD decile 1–10 of the person's home",
    },
    Field { name: "evidence", required: false, kind: Kind::Text, meaning: "where the proof lives" },
];

/// Internal columns carried beside the record for diagnostics.
pub const ROW: &str = "__row";

/// The standard gender choices (a return template's drop-down; a project's `[lists]`
/// may give others).
pub const GENDERS: [&str; 4] = ["female", "male", "non_binary", "not_stated"];

/// The standard age bands (a return template's drop-down; a project's `[lists]` may
/// give others).
pub const AGE_BANDS: [&str; 5] = ["16-24", "25-34", "35-49", "50-64", "65+"];
/// The internal column holding each record's file (an index into the files read).
pub const FILE: &str = "__file";
/// True when the record passed every per-file check (dropped after loading).
pub const OK: &str = "__ok";
/// The record's indicator as the checks found it: its place in the library the data
/// was checked against (null for an id the library does not hold), so a fold of the
/// same pass need not look every id up again.
pub const INDICATOR_NUMBER: &str = "__indicator";

/// The canonical field with this name, if any.
pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// Every canonical column name, in layout order.
pub fn names() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().map(|f| f.name)
}

/// How a heading is compared with canonical names: trimmed, lower case, with
/// spaces and dashes as underscores ("Beneficiary Group" → beneficiary_group).
pub fn normalise_heading(heading: &str) -> String {
    heading
        .trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// Spreadsheet column letters for a 0-based index: 0 → A, 26 → AA.
pub fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_follow_spreadsheet_convention() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn headings_normalise() {
        assert_eq!(normalise_heading("\u{feff} Beneficiary Group "), "beneficiary_group");
        assert_eq!(normalise_heading("SIMD-Decile"), "simd_decile");
    }
}
