//! JSON arrays and newline-delimited JSON, record by record.

use super::*;

pub(super) fn read_json(path: &Path) -> Result<RawTable> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => Error::read(path, "the file is not UTF-8 text"),
        _ => Error::io(path, e),
    })?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    // (record number or line, object)
    let mut records: Vec<(i64, serde_json::Map<String, serde_json::Value>)> = Vec::new();
    let not_object = |n: i64, what: &str| {
        Error::read(path, format!("{what} {n} is not an object"))
            .with_hint("each record is an object such as {\"organisation\": \"…\", \"indicator\": \"…\", …}")
    };
    if trimmed.starts_with('[') {
        let values: Vec<JsonRecord> = serde_json::from_str(trimmed).map_err(|e| json_error(path, e.line(), &e))?;
        for (i, v) in values.into_iter().enumerate() {
            let n = i as i64 + 1;
            match v {
                JsonRecord::Object(o) => records.push((n, o)),
                JsonRecord::Other => return Err(not_object(n, "record")),
            }
        }
    } else {
        for (i, line) in text.lines().enumerate() {
            let n = i as i64 + 1;
            let line = line.trim().trim_start_matches('\u{feff}');
            if line.is_empty() {
                continue;
            }
            match serde_json::from_str(line) {
                Ok(JsonRecord::Object(o)) => records.push((n, o)),
                Ok(JsonRecord::Other) => return Err(not_object(n, "line")),
                Err(e) => return Err(json_error(path, n as usize, &e)),
            }
        }
    }
    let mut headings: Vec<String> = Vec::new();
    for (_, r) in &records {
        for k in r.keys() {
            if !headings.contains(k) {
                headings.push(k.clone());
            }
        }
    }
    refuse_reserved_headings(path, headings.iter().map(String::as_str))?;
    let mut cols: Vec<Column> = headings
        .iter()
        .map(|h| {
            let values: Vec<Option<String>> = records.iter().map(|(_, r)| r.get(h).and_then(json_text)).collect();
            Column::new(h.as_str().into(), values)
        })
        .collect();
    cols.push(Column::new(ROW.into(), records.iter().map(|(n, _)| *n).collect::<Vec<i64>>()));
    let df = DataFrame::new_infer_height(cols)?;
    Ok(RawTable { path: path.to_path_buf(), df, letters: HashMap::new(), warnings: Vec::new(), labelled: false })
}

/// serde_json's message without its own " at line X column Y" (we say where ourselves).
/// A JSON problem at a line: not JSON at all, or a record that gives a key twice.
pub(super) fn json_error(path: &Path, line: usize, e: &serde_json::Error) -> Error {
    let what = if e.is_data() { "" } else { "not valid JSON: " };
    Error::read(path, format!("line {line}, column {}: {what}{}", e.column(), json_reason(e)))
}

/// One top-level JSON value: a record (an object whose keys are all different), or
/// anything else. A key given twice is an error: which value is meant is a guess
/// (serde_json's own map keeps the last without a word).
pub(super) enum JsonRecord {
    Object(serde_json::Map<String, serde_json::Value>),
    Other,
}

impl<'de> serde::Deserialize<'de> for JsonRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = JsonRecord;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<JsonRecord, A::Error> {
                let mut out = serde_json::Map::new();
                while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!(
                            "the key \"{key}\" is given twice in one record"
                        )));
                    }
                    out.insert(key, value);
                }
                Ok(JsonRecord::Object(out))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<JsonRecord, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(JsonRecord::Other)
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
            fn visit_unit<E>(self) -> std::result::Result<JsonRecord, E> {
                Ok(JsonRecord::Other)
            }
        }
        d.deserialize_any(Visit)
    }
}

pub(super) fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

pub(super) fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}
