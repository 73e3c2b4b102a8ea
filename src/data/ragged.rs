//! Rows with fewer cells than the heading row. polars fills a short row's missing
//! cells with nulls, exactly as it reads empty cells, so a row cut mid-way (`1250`
//! cut to `12` and the cells after it gone) would pass as a row with a few empty
//! cells. The reader cannot tell the two apart; the bytes can.
//!
//! Reading the bytes again costs time, so `Stream::for_each` asks only when a row's
//! last cell came back empty, which is the only way a short row shows. A first pass
//! counts separators and line ends in blocks (about 0.1 s per GB once the file is in
//! the page cache); only when those do not add up, or quotes could hide separators,
//! does a second pass walk the records one by one.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// How a CSV file is laid out: what a record must hold.
#[derive(Debug, Clone)]
pub struct Shape {
    pub separator: u8,
    /// The line (1-based) that holds the headings; lines above it are a title block.
    pub header_row: u64,
    /// Cells in the heading row.
    pub headings: usize,
    /// The column map's `skip_rows_starting_with`, lowercased: a notes or total row the
    /// map drops may be as short as it likes.
    pub note_prefixes: Vec<String>,
}

/// A row the column map drops as a note or total: its first non-empty cell starts
/// with one of the prefixes (as `mapping` decides, ignoring case).
fn is_note_row(text: &[u8], separator: u8, prefixes: &[String]) -> bool {
    if prefixes.is_empty() {
        return false;
    }
    let first = text
        .split(|b| *b == separator)
        .map(|c| String::from_utf8_lossy(c).trim().trim_matches('"').trim().to_lowercase())
        .find(|c| !c.is_empty());
    first.is_some_and(|c| prefixes.iter().any(|p| c.starts_with(p.as_str())))
}

/// Rows with too few cells: the first few (row number as messages number rows, and
/// the cells the row has) and how many in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortRows {
    pub first: Vec<(u64, usize)>,
    pub count: u64,
    /// The file's last record, when it is one of them: a copy or download that
    /// stopped mid-row, said as such whatever other rows are short.
    pub last: Option<(u64, usize)>,
}

const LISTED: usize = 5;
const BLOCK: usize = 1 << 20;

/// Refuse a file in which some row has fewer cells than the headings.
pub fn refuse_short_rows(path: &Path, shape: &Shape) -> Result<()> {
    let Some(short) = short_rows(path, shape)? else { return Ok(()) };
    let message = match short.first.as_slice() {
        // The last row cut mid-row: the file itself is cut short (`1250` cut to `12`).
        _ if short.last.is_some() => {
            let (row, cells) = short.last.unwrap_or_default();
            return Err(Error::read(
                path,
                format!("row {row}, the last, has {cells} cell(s) but the heading row has {}: the file looks cut short", shape.headings),
            )
            .with_hint("copy or export the file again in full; if the row is meant to be short, end it with the missing separators"));
        }
        [(row, cells)] if short.count == 1 => {
            format!("row {row} has {cells} cell(s) but the heading row has {}: the row looks cut short", shape.headings)
        }
        first => {
            let listed: Vec<String> = first.iter().map(|(row, cells)| format!("row {row} has {cells}")).collect();
            let more = short.count - first.len() as u64;
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            format!(
                "{} rows have fewer cells than the heading row's {}: {}{more}",
                short.count,
                shape.headings,
                listed.join(", ")
            )
        }
    };
    Err(Error::read(path, message)
    .with_hint("a row cut short loses the cells after the cut; export the file again, or end a row meant to be short with the missing separators"))
}

/// The short rows of a file, if any.
pub fn short_rows(path: &Path, shape: &Shape) -> Result<Option<ShortRows>> {
    let open = || std::fs::File::open(path).map_err(|e| Error::io(path, e));
    let mut reader = BufReader::with_capacity(BLOCK, open()?);
    skip_lines(&mut reader, shape.header_row).map_err(|e| Error::io(path, e))?;
    let tally = tally(&mut reader, shape.separator).map_err(|e| Error::io(path, e))?;
    if tally.adds_up(shape.headings) {
        return Ok(None);
    }
    let mut reader = BufReader::with_capacity(BLOCK, open()?);
    skip_lines(&mut reader, shape.header_row).map_err(|e| Error::io(path, e))?;
    walk(reader, shape).map_err(|e| Error::io(path, e))
}

fn skip_lines(reader: &mut impl BufRead, lines: u64) -> std::io::Result<()> {
    let mut line = Vec::new();
    for _ in 0..lines {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
    }
    Ok(())
}

/// Counts over the data lines.
#[derive(Debug, Default)]
struct Tally {
    separators: u64,
    line_ends: u64,
    quotes: u64,
    /// The last byte read was not a line end: the last line has no `\n`.
    open_line: bool,
    bytes: u64,
}

impl Tally {
    /// Every line holds exactly `headings - 1` separators. Without quotes no
    /// separator hides in a cell, and no line has more (the reader refuses those),
    /// so the totals agreeing means no line has fewer.
    fn adds_up(&self, headings: usize) -> bool {
        let lines = self.line_ends + u64::from(self.open_line);
        self.quotes == 0 && self.separators == lines * (headings.max(1) as u64 - 1)
    }
}

fn tally(reader: &mut impl Read, separator: u8) -> std::io::Result<Tally> {
    let mut t = Tally::default();
    let mut buf = vec![0u8; BLOCK];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let block = &buf[..n];
        // Counters of one byte each, over runs of at most 255 bytes, so the compiler
        // compares 16 or 32 bytes at a time.
        for run in block.chunks(255) {
            let (mut s, mut l, mut q) = (0u8, 0u8, 0u8);
            for &b in run {
                s += u8::from(b == separator);
                l += u8::from(b == b'\n');
                q += u8::from(b == b'"');
            }
            t.separators += u64::from(s);
            t.line_ends += u64::from(l);
            t.quotes += u64::from(q);
        }
        t.open_line = block.last() != Some(&b'\n');
        t.bytes += n as u64;
    }
    if t.bytes == 0 {
        t.open_line = false;
    }
    Ok(t)
}

/// Record by record: cells counted outside quotes (a quoted cell may hold separators
/// and line ends). A blank line is no short row; the reader skips it but still counts
/// it in its row numbers, and so does this.
fn walk(mut reader: impl BufRead, shape: &Shape) -> std::io::Result<Option<ShortRows>> {
    let mut short = ShortRows { first: Vec::new(), count: 0, last: None };
    let mut line = Vec::new();
    let mut record: u64 = 0;
    let (mut cells, mut in_quotes, mut started) = (1usize, false, false);
    let mut first_line_of_record = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if !started && !in_quotes && text.is_empty() {
            record += 1;
            continue;
        }
        if !started {
            first_line_of_record.clear();
            first_line_of_record.extend_from_slice(text);
        }
        started = true;
        for &b in text {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == shape.separator && !in_quotes {
                cells += 1;
            }
        }
        if in_quotes {
            continue; // the record goes on over the next line
        }
        let row = (shape.header_row + 1 + record, cells);
        let is_short =
            cells < shape.headings && !is_note_row(&first_line_of_record, shape.separator, &shape.note_prefixes);
        // Whether the record read last was short, once the file ends.
        short.last = is_short.then_some(row);
        if is_short {
            short.count += 1;
            if short.first.len() < LISTED {
                short.first.push(row);
            }
        }
        record += 1;
        (cells, started) = (1, false);
    }
    Ok((short.count > 0).then_some(short))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(headings: usize) -> Shape {
        Shape { separator: b',', header_row: 1, headings, note_prefixes: Vec::new() }
    }

    fn find(text: &str, headings: usize) -> Option<ShortRows> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.csv");
        std::fs::write(&path, text).expect("write");
        short_rows(&path, &shape(headings)).expect("read")
    }

    #[test]
    fn full_rows_pass_on_the_counts_alone() {
        let mut t = tally(&mut "1,2,3\n4,,\n".as_bytes(), b',').expect("tally");
        assert!(t.adds_up(3));
        t = tally(&mut "1,2,3\n4,5".as_bytes(), b',').expect("tally");
        assert!(!t.adds_up(3), "the last line has 1 separator, not 2");
        assert_eq!(find("a,b,c\n1,2,3\n4,,\n", 3), None);
    }

    #[test]
    fn a_short_row_in_the_middle_is_found_and_numbered() {
        // Row 1 holds headings; rows 2 and 4 are whole; row 3 lost its last cell.
        let found = find("a,b,c\n1,2,3\n12,5\n7,8,9\n", 3).expect("short");
        assert_eq!(found, ShortRows { first: vec![(3, 2)], count: 1, last: None });
    }

    #[test]
    fn quoted_separators_and_line_ends_stay_in_their_cell() {
        // "x,\ny" is one cell over two lines; the row has 3 cells.
        assert_eq!(find("a,b,c\n\"x,\ny\",2,3\n4,5,6\n", 3), None);
        // Two commas in quotes cannot make up for a missing cell.
        let found = find("a,b,c\n\"1,,\",2\n4,5,6\n", 3).expect("short");
        assert_eq!(found.first, vec![(2, 2)]);
    }

    /// A notes or total row that the column map drops may be short.
    #[test]
    fn rows_the_map_drops_as_notes_may_be_short() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "a,b,c\n1,2,3\nTotal,5\n\"Note: provisional\"\n4,5,6\n").expect("write");
        let notes = Shape { note_prefixes: vec!["total".into(), "note".into()], ..shape(3) };
        assert_eq!(short_rows(&path, &notes).expect("read"), None);
        assert_eq!(short_rows(&path, &shape(3)).expect("read").map(|s| s.count), Some(2));
    }

    #[test]
    fn blank_lines_and_crlf_are_not_short_rows() {
        assert_eq!(find("a,b,c\r\n1,2,3\r\n\r\n4,5,6\r\n", 3), None);
        // The blank row 3 still counts in the numbering, as the reader counts it.
        let found = find("a,b,c\n1,2,3\n\n4,5\n", 3).expect("short");
        assert_eq!(found.first, vec![(4, 2)]);
    }
}
