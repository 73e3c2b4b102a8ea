//! Parquet: read one row group at a time, after its Arrow schema is vetted for types
//! the engine cannot hold (which it would panic on).

use super::*;

pub(super) fn parquet_stream(path: &Path, wanted: Option<&[&str]>) -> Result<Stream> {
    let on_error = {
        let path = path.to_path_buf();
        move |e: PolarsError| {
            Error::read(&path, format!("not a readable Parquet file: {}", first_line(&e.to_string())))
                .with_hint("the file may be truncated or not Parquet; write it again")
        }
    };
    refuse_unsupported_arrow_types(path, &on_error)?;
    let pl_path = PlRefPath::try_from_path(path)?;
    let mut lf = LazyFrame::scan_parquet(pl_path, ScanArgsParquet::default()).map_err(&on_error)?;
    let schema = lf.collect_schema().map_err(&on_error)?;
    let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    refuse_reserved_headings(path, names.iter().map(String::as_str))?;
    let lf = lf.with_row_index(ROW, Some(1)).with_column(col(ROW).cast(DataType::Int64));
    let empty = empty_table(path, &lf, HashMap::new())?;
    let columns = wanted
        .map(|w| names.iter().filter(|n| w.contains(&normalise_heading(n).as_str())).cloned().collect::<Vec<String>>());
    let projected = columns.as_ref().is_some_and(|c| c.len() < names.len());
    Ok(Stream {
        path: path.to_path_buf(),
        empty,
        feed: Feed::RowGroups { columns },
        projected,
        ragged: None,
        on_error: Box::new(on_error),
    })
}

/// A Parquet column of a type the engine cannot hold (half floats, 128-bit integers,
/// intervals, unions, fixed-size lists, decimals over 38 digits, unknown time zones)
/// would stop it with a panic, not an error: refuse it by name first. Durations have
/// no text or number form a record could use.
pub(super) fn refuse_unsupported_arrow_types(path: &Path, on_error: &dyn Fn(PolarsError) -> Error) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let schema = ParquetReader::new(file).schema().map_err(on_error)?;
    for (name, field) in schema.iter() {
        let metadata = field.metadata.as_deref();
        if matches!(field.dtype, ArrowDataType::Dictionary(..))
            && metadata.is_some_and(|m| !polars_categories_are_sound(m))
        {
            return Err(Error::read(
                path,
                format!("column \"{name}\" is a dictionary column whose category list is malformed"),
            )
            .with_hint("write the file again from the program that made it, or write that column as text"));
        }
        if let Some(kind) = unsupported_arrow_type(&field.dtype) {
            return Err(Error::read(path, format!("column \"{name}\" holds {kind}, which impactkit cannot read"))
                .with_hint("write that column as text, a whole or decimal number (up to 38 digits), or a date"));
        }
    }
    Ok(())
}

/// polars writes an enum's or categorical's category list into the file's metadata,
/// and on reading takes it apart with `unwrap`: a malformed list (from a damaged or
/// hostile file) would be a panic. The same steps, checked (polars-core's
/// `DataType::from_arrow`, 0.55).
pub(super) fn polars_categories_are_sound(metadata: &std::collections::BTreeMap<PlSmallStr, PlSmallStr>) -> bool {
    fn take(text: &str) -> Option<(&str, &str)> {
        let (len, rest) = text.split_once(';')?;
        let len: usize = len.parse().ok()?;
        (len <= rest.len() && rest.is_char_boundary(len)).then(|| rest.split_at(len))
    }
    let enum_values = metadata.get("_PL_ENUM_VALUES2").or_else(|| metadata.get("_PL_ENUM_VALUES"));
    if let Some(values) = enum_values {
        let (mut rest, mut seen) = (values.as_str(), std::collections::HashSet::new());
        while !rest.is_empty() {
            let Some((category, after)) = take(rest) else { return false };
            if !seen.insert(category) {
                return false;
            }
            rest = after;
        }
        return true;
    }
    if let Some(categorical) = metadata.get("_PL_CATEGORICAL2") {
        let sound = || -> Option<()> {
            let (_name, rest) = take(categorical.as_str())?;
            let (_namespace, rest) = take(rest)?;
            let (physical, _) = rest.split_once(';')?;
            matches!(physical, "u8" | "u16" | "u32").then_some(())
        };
        return sound().is_some();
    }
    true
}

/// What is wrong with a column type, in words, or None when the engine can hold it
/// (nested types included: the checks refuse those by name later).
pub(super) fn unsupported_arrow_type(dtype: &ArrowDataType) -> Option<String> {
    use ArrowDataType as A;
    match dtype {
        A::Null
        | A::Boolean
        | A::Int8
        | A::Int16
        | A::Int32
        | A::Int64
        | A::UInt8
        | A::UInt16
        | A::UInt32
        | A::UInt64 => None,
        A::Float32 | A::Float64 | A::Utf8 | A::LargeUtf8 | A::Utf8View | A::Binary | A::LargeBinary | A::BinaryView => {
            None
        }
        A::FixedSizeBinary(_) | A::Date32 | A::Date64 | A::Time32(_) | A::Time64(_) => None,
        A::Timestamp(_, zone) => {
            TimeZone::opt_try_new(zone.clone()).err().map(|_| format!("timestamps in the unknown time zone {zone:?}"))
        }
        A::Decimal(precision, _)
        | A::Decimal32(precision, _)
        | A::Decimal64(precision, _)
        | A::Decimal256(precision, _) => {
            (*precision == 0 || *precision > 38).then(|| format!("decimal numbers of {precision} digits"))
        }
        A::Dictionary(_, values, _) => unsupported_arrow_type(values),
        A::List(inner) | A::LargeList(inner) | A::Map(inner, _) => unsupported_arrow_type(&inner.dtype),
        A::Struct(fields) => fields.iter().find_map(|f| unsupported_arrow_type(&f.dtype)),
        A::Duration(_) => Some("durations".into()),
        A::Float16 => Some("half-precision (16-bit) floats".into()),
        A::Int128 | A::UInt128 => Some("128-bit integers".into()),
        A::Interval(_) => Some("intervals".into()),
        A::FixedSizeList(_, _) => Some("fixed-size lists".into()),
        other => Some(format!("values of type {other:?}")),
    }
}
