//! CSV: read in streamed batches by polars, with the problems it reports located by
//! row (an unclosed quote, a row of the wrong width, text that is not UTF-8).

use super::*;

pub(super) fn csv_stream(path: &Path, map: &ColumnMap, wanted: Option<&[&str]>) -> Result<Stream> {
    refuse_unreadable_text(path)?;
    let header_row = map.header_row();
    let heading_line = nth_line(path, header_row)?;
    let separator = map.delimiter().unwrap_or_else(|| sniff_delimiter(&heading_line));
    refuse_reserved_headings(path, heading_line.split(separator as char).map(|h| h.trim().trim_matches('"')))?;
    let on_error = {
        let path = path.to_path_buf();
        move |e: PolarsError| csv_error(&path, separator, header_row, e)
    };
    // The headings are read by polars from the file's start through the heading row
    // only: given the whole file, its schema pass measures the first data row again
    // each time it reads more of it, which is quadratic in a long row (a 256 MB line of
    // spaces took 85 s). The records themselves are read by `csv_chunks`.
    let head = head_through_headings(path, header_row)?;
    let sources = ScanSources::Buffers(Arc::from([polars_buffer::Buffer::from(head)]));
    let mut lf = LazyCsvReader::new_with_sources(sources)
        .with_has_header(true)
        .with_separator(separator)
        .with_skip_rows(usize::try_from(header_row - 1).unwrap_or(0))
        .with_infer_schema_length(Some(0)) // every column as text; we parse and report ourselves
        .with_row_index(Some(RowIndex { name: ROW.into(), offset: 0 }))
        .finish()
        .map_err(&on_error)?;
    let schema = lf.collect_schema().map_err(&on_error)?;
    let names: Vec<String> = schema.iter_names().filter(|n| n.as_str() != ROW).map(|n| n.to_string()).collect();
    let note_prefixes: Vec<String> =
        map.source.skip_rows_starting_with.iter().map(|p| p.trim().to_lowercase()).collect();
    let letters = names.iter().enumerate().map(|(i, n)| (n.clone(), column_letter(i))).collect();
    // Row index counts data rows from 0; the first data row sits just under the headings.
    let first_data_row = (header_row + 1) as i64;
    let lf = lf.with_column((col(ROW).cast(DataType::Int64) + lit(first_data_row)).alias(ROW));
    let empty = empty_table(path, &lf, letters)?;
    let columns: Schema = names.iter().map(|n| Field::new(n.as_str().into(), DataType::String)).collect();
    // Only the columns wanted are parsed; every row's cells are still counted.
    // (polars parses at least one column: a file with none wanted is read whole.)
    let projection: Vec<usize> = wanted
        .map(|w| {
            // A repeated heading (`x_duplicated_0`) is read with its first, so the
            // mapping sees both and refuses to guess.
            let heading = |i: usize| normalise_heading(crate::data::mapping::as_headed(&names[i]));
            (0..names.len()).filter(|&i| w.contains(&heading(i).as_str())).collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| (0..names.len()).collect());
    let projected = projection.len() < names.len();
    let chunks = super::csv_chunks::CsvChunks {
        options: CsvParseOptions::default().with_separator(separator),
        schema: Arc::new(columns),
        projection,
        header_row,
    };
    let shape = ragged::Shape { separator, header_row, headings: names.len(), note_prefixes };

    Ok(Stream {
        path: path.to_path_buf(),
        empty,
        feed: Feed::Csv(chunks),
        projected,
        ragged: Some(shape),
        on_error: Box::new(on_error),
    })
}

/// The file's bytes from its start to the end of record `header_row` (line endings
/// inside quotes do not end a record), read a block at a time.
fn head_through_headings(path: &Path, header_row: u64) -> Result<Vec<u8>> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = Vec::new();
    let mut block = vec![0u8; 64 * 1024];
    let (mut quoted, mut records) = (false, 0u64);
    loop {
        let n = file.read(&mut block).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(head);
        }
        for (i, &b) in block[..n].iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => {
                    records += 1;
                    if records == header_row {
                        head.extend_from_slice(&block[..=i]);
                        return Ok(head);
                    }
                }
                _ => {}
            }
        }
        head.extend_from_slice(&block[..n]);
    }
}

pub(super) fn csv_error(path: &Path, separator: u8, header_row: u64, e: PolarsError) -> Error {
    let text = e.to_string();
    if text.contains("utf-8") || text.contains("utf8") || text.contains("invalid utf") {
        let place = std::fs::read(path)
            .ok()
            .and_then(|b| first_non_utf8_row(&b))
            .map(|r| format!("row {r}: "))
            .unwrap_or_default();
        return Error::read(path, format!("{place}the file is not UTF-8 text"))
            .with_hint("in Excel use Save As → \"CSV UTF-8\"; from other tools, export as UTF-8");
    }
    // The engine's messages do not say where; find the row ourselves.
    match std::fs::read(path).ok().and_then(|b| locate_csv_problem(&b, separator, header_row)) {
        Some(problem) => {
            Error::read(path, problem).with_hint("fix that row in a spreadsheet program, or export the sheet again")
        }
        None => {
            Error::read(path, format!("not readable as CSV (separator `{}`): {}", separator as char, first_line(&text)))
                .with_hint("check for an unclosed quote or a row with more cells than the heading row")
        }
    }
}

/// The spreadsheet row holding the first byte that is not UTF-8.
pub(super) fn first_non_utf8_row(bytes: &[u8]) -> Option<u64> {
    let e = std::str::from_utf8(bytes).err()?;
    Some(bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64 + 1)
}

/// Walk the CSV (quote-aware) and describe the first structural problem: a row with
/// more cells than the heading row, or a quote that is never closed.
pub fn locate_csv_problem(bytes: &[u8], separator: u8, header_row: u64) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut line = 1u64;
    let mut record_start = 1u64;
    let mut quoted = false;
    let mut cells = 1usize;
    let mut expected: Option<usize> = None;
    let mut blank = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' if quoted && bytes.get(i + 1) == Some(&b'"') => i += 1, // escaped quote
            b'"' => quoted = !quoted,
            b'\n' => {
                line += 1;
                if !quoted {
                    if record_start >= header_row && !blank {
                        match expected {
                            None => expected = Some(cells),
                            Some(n) if cells > n => {
                                return Some(format!(
                                    "row {record_start} has {cells} cells but the heading row has {n}"
                                ));
                            }
                            _ => {}
                        }
                    }
                    record_start = line;
                    cells = 1;
                    blank = true;
                }
            }
            b'\r' => {}
            c if c == separator && !quoted => {
                cells += 1;
                blank = false;
            }
            _ => blank = false,
        }
        i += 1;
    }
    if quoted {
        return Some(format!("a quote opened on row {record_start} is never closed"));
    }
    match expected {
        Some(n) if !blank && cells > n && record_start > header_row => {
            Some(format!("row {record_start} has {cells} cells but the heading row has {n}"))
        }
        _ => None,
    }
}

/// The most frequent of , ; tab | outside quotes in the heading row.
pub fn sniff_delimiter(line: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if *d == b {
                    *n += 1;
                }
            }
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map_or(b',', |(d, _)| *d)
}

pub(super) fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

// ---------------------------------------------------------------- Excel
