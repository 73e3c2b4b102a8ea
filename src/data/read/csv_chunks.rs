//! CSV records in blocks, split where records end and parsed in parallel by polars'
//! own field parser. polars' readers find record ends with a byte-at-a-time loop on
//! stable Rust (its vector path needs a nightly compiler): one thread spent about
//! 2.5 s of a 10M-row aggregate on it, while every other stage waited. Here record
//! ends are found eight bytes at a time (about 3 GB/s on one core), and the pieces
//! of each block are parsed on every core, exactly as polars' streaming reader
//! parses them (same parser, same options, same check of the row count), so the
//! records, their row numbers and the errors are the same.

use std::io::Read;
use std::path::Path;

use polars::io::csv::read::_csv_read_internal::{read_chunk, validate_utf8};
use polars::prelude::*;
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Bytes read at a time: big enough that both cores parse for a while, small enough
/// that a block and its records are tens of megabytes. The first blocks are smaller
/// (from `FIRST_BLOCK`, doubling), so the checks start on records soon.
const BLOCK: usize = 32 << 20;
const FIRST_BLOCK: usize = 1 << 20;

/// The largest block for a file of `len` bytes: an eighth of it, within
/// [`FIRST_BLOCK`, `BLOCK`]. Reading, checking and folding are a pipeline, and the
/// last block's checks and folds run after the reading is done: a 33 MB file read in
/// blocks doubling up to 16 MB left half its records to that tail (one pack: the tail
/// 47 → 27 ms, the whole pass 236 → 202 ms, medians of 6 alternated runs).
fn largest_block(len: u64) -> usize {
    usize::try_from(len / 8).unwrap_or(BLOCK).clamp(FIRST_BLOCK, BLOCK)
}

/// Record ends (line ends outside quoted cells) in text that starts at a record's
/// start: how many, the offset just after the last one (0 for none), whether a
/// record had fewer or more cells than the headings, and the separators of the
/// record left open at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ends {
    pub count: usize,
    pub after_last: usize,
    pub short: bool,
    pub long: bool,
    pub open_separators: usize,
}

/// What a record looks like: its quote, separator and line end, and the number of
/// separators a whole record has (one fewer than the headings).
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    pub quote: Option<u8>,
    pub separator: u8,
    pub eol: u8,
    pub separators: usize,
}

/// Each byte of a little-endian word that equals `byte` (repeated in every lane),
/// as one bit per byte: byte k → bit k.
#[inline]
fn equal_bits(word: u64, lanes: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ lanes;
    // 0x80 in every byte of `x` that is zero, and only there (no borrow across bytes).
    let zero = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
    // Gather the eight high bits into the top byte, then down.
    (zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Bit i set when byte i of the 64 is inside quotes after it (an odd count of
/// quotes up to and including it).
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The record ends in `bytes`, which starts at a record's start: line ends outside
/// quoted cells (a doubled quote counts twice, in and out again), with each whole
/// record's separators (outside quotes) checked against the layout.
pub(super) fn record_ends(bytes: &[u8], layout: &Layout) -> Ends {
    let lanes = |b: u8| u64::from(b) * 0x0101_0101_0101_0101;
    // Text without a quote (most is) needs no quote masks: a third less work.
    let quote = layout.quote.filter(|q| memchr::memchr(*q, bytes).is_some());
    let (eols, seps, quotes) = (lanes(layout.eol), lanes(layout.separator), quote.map(lanes));
    let mut inside = 0u64; // all ones while inside quotes
    let mut ends = Ends { count: 0, after_last: 0, short: false, long: false, open_separators: 0 };
    let check = |n: usize, ends: &mut Ends| {
        ends.short |= n < layout.separators;
        ends.long |= n > layout.separators;
    };
    let mut blocks = bytes.chunks_exact(64);
    let mut base = 0;
    for block in &mut blocks {
        let (mut e, mut s, mut q) = (0u64, 0u64, 0u64);
        for (k, word) in block.chunks_exact(8).enumerate() {
            let word = u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
            e |= equal_bits(word, eols) << (8 * k);
            s |= equal_bits(word, seps) << (8 * k);
            if let Some(quotes) = quotes {
                q |= equal_bits(word, quotes) << (8 * k);
            }
        }
        let quoted = prefix_xor(q) ^ inside;
        inside = ((quoted as i64) >> 63) as u64;
        let (mut line_ends, mut separators) = (e & !quoted, s & !quoted);
        if line_ends != 0 {
            ends.count += line_ends.count_ones() as usize;
            ends.after_last = base + 64 - line_ends.leading_zeros() as usize;
            // Each record ending here: its separators before its end.
            while line_ends != 0 {
                let before = (1u64 << line_ends.trailing_zeros()) - 1;
                let n = ends.open_separators + (separators & before).count_ones() as usize;
                check(n, &mut ends);
                ends.open_separators = 0;
                separators &= !before;
                line_ends &= line_ends - 1;
            }
        }
        ends.open_separators += separators.count_ones() as usize;
        base += 64;
    }
    let mut in_quotes = inside != 0;
    for (i, &b) in blocks.remainder().iter().enumerate() {
        if Some(b) == quote {
            in_quotes = !in_quotes;
            continue;
        }
        if in_quotes {
            continue;
        }
        if b == layout.eol {
            ends.count += 1;
            ends.after_last = base + i + 1;
            check(ends.open_separators, &mut ends);
            ends.open_separators = 0;
        } else if b == layout.separator {
            ends.open_separators += 1;
        }
    }
    ends
}

/// How to read a CSV file's records: polars' parse options, the file's columns (all
/// text) and the ones to parse, and the spreadsheet row of its headings.
pub(super) struct CsvChunks {
    pub options: CsvParseOptions,
    pub schema: SchemaRef,
    pub projection: Vec<usize>,
    pub header_row: u64,
}

impl CsvChunks {
    fn layout(&self) -> Layout {
        Layout {
            quote: self.options.quote_char,
            separator: self.options.separator,
            eol: self.options.eol_char,
            separators: self.schema.len().saturating_sub(1),
        }
    }

    /// Hand every record to `each` in blocks (the columns parsed, as headed, after
    /// `__row`), reading and parsing the next block while `each` works on this one. A
    /// row with more cells than the headings is a polars error, as polars gives it
    /// (the caller says where in the file). Returns whether a row had fewer cells
    /// than the headings (or none: a blank line), for the caller to look into.
    pub(super) fn for_each(
        &self,
        path: &Path,
        mut each: impl FnMut(DataFrame) -> Result<std::ops::ControlFlow<()>>,
        on_error: &(dyn Fn(PolarsError) -> Error + Send + Sync),
    ) -> Result<bool> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<DataFrame>>(1);
        let short = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| -> Result<()> {
            scope.spawn(|| {
                if let Err(e) = self.read(path, |df| send.send(Ok(df)).is_ok(), &short, on_error) {
                    let _ = send.send(Err(e));
                }
                drop(send);
            });
            for block in receive {
                // Returning drops the receiver, which stops the reading thread.
                if each(block?)?.is_break() {
                    return Ok(());
                }
            }
            Ok(())
        })?;
        Ok(short.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Read the file block by block, sending each block's records until `send` says
    /// the taker has gone.
    fn read(
        &self,
        path: &Path,
        mut send: impl FnMut(DataFrame) -> bool,
        short: &std::sync::atomic::AtomicBool,
        on_error: &(dyn Fn(PolarsError) -> Error + Send + Sync),
    ) -> Result<()> {
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let largest = largest_block(file.metadata().map_or(u64::MAX, |m| m.len()));
        let layout = self.layout();
        let mut text: Vec<u8> = Vec::new();
        let mut eof = false;
        // The heading row (and any rows above it) are not records.
        let mut to_skip = self.header_row;
        let mut rows_before = self.header_row as i64;
        let pieces_per_block = rayon::current_num_threads().max(1) * 4;
        let mut block_size = FIRST_BLOCK;
        let (mut reading, mut splitting, mut parsing) =
            (crate::timing::Total::new(), crate::timing::Total::new(), crate::timing::Total::new());
        loop {
            if !eof {
                // Appended without zero-filling first (the buffer keeps its capacity
                // from block to block).
                text.reserve(block_size);
                let want = block_size as u64;
                block_size = (block_size * 2).min(largest);
                let got =
                    reading.time(|| (&mut file).take(want).read_to_end(&mut text)).map_err(|e| Error::io(path, e))?;
                eof = got == 0;
            }
            while to_skip > 0 {
                match first_record_end(&text, layout.quote, layout.eol) {
                    Some(end) => {
                        text.drain(..end);
                        to_skip -= 1;
                    }
                    None if eof => return Ok(()), // headings only: no records
                    None => break,
                }
            }
            if to_skip > 0 {
                continue;
            }
            let (pieces, reach, seen) =
                splitting.time(|| split(&text, &layout, eof, (text.len() / pieces_per_block).max(64 << 10)));
            if seen.short {
                short.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            if seen.long {
                // polars' own words for it; the caller finds the row.
                return Err(on_error(polars_err!(ComputeError: "found more fields than defined in 'Schema'")));
            }
            if !pieces.is_empty() {
                let block = parsing.time(|| self.parse_block(&text, &pieces, rows_before + 1)).map_err(on_error)?;
                rows_before += block.height() as i64;
                text.drain(..reach);
                if !send(block) {
                    return Ok(());
                }
            }
            if eof {
                reading.report("CSV: read blocks");
                splitting.report("CSV: split blocks where records end");
                parsing.report("CSV: parse pieces");
                return Ok(());
            }
        }
    }

    /// The pieces' records, parsed side by side, in order, after a `__row` column
    /// numbering them from `first_row` (first, where polars' row index puts it).
    fn parse_block(&self, text: &[u8], pieces: &[Piece], first_row: i64) -> PolarsResult<DataFrame> {
        let frames: Vec<PolarsResult<DataFrame>> =
            pieces.par_iter().map(|p| self.parse(&text[p.from..p.to], p.records)).collect();
        let mut block = DataFrame::empty();
        for frame in frames {
            let frame = frame?;
            if block.width() == 0 {
                block = frame;
            } else {
                block.vstack_mut(&frame)?;
            }
        }
        let rows = first_row..first_row + block.height() as i64;
        block.insert_column(0, Column::new(crate::data::schema::ROW.into(), rows.collect::<Vec<i64>>()))?;
        Ok(block)
    }

    /// One piece's records, checked as polars' streaming reader checks them: UTF-8,
    /// and as many rows parsed as record ends counted.
    fn parse(&self, piece: &[u8], records: usize) -> PolarsResult<DataFrame> {
        polars_ensure!(validate_utf8(piece), ComputeError: "invalid utf-8 sequence");
        let df = read_chunk(
            piece,
            &self.options,
            &self.schema,
            false,
            &self.projection,
            0,
            records,
            None,
            usize::MAX,
            piece.len(),
            Some(0),
        )?;
        polars_ensure!(
            df.height() == records,
            ComputeError: "CSV malformed: expected {} rows, actual {} rows", records, df.height()
        );
        // A CSV impactkit wrote guards a cell that would run as a formula with a `'`
        // (`output::neutralise_formulas`): read back, the cell is what was written.
        // Most text has no `'` at all, so the cells are looked at only when it does.
        let mut df = df;
        if memchr::memchr(b'\'', piece).is_some() {
            crate::output::restore_guarded(&mut df).map_err(|e| polars_err!(ComputeError: "{e}"))?;
        }
        Ok(df)
    }
}

/// A stretch of text that starts and ends where records do, and its record count.
struct Piece {
    from: usize,
    to: usize,
    records: usize,
}

/// What the records of a split showed: one with fewer cells than the headings (or a
/// blank line), one with more.
#[derive(Default)]
struct Seen {
    short: bool,
    long: bool,
}

/// `text`'s whole records (and, at the end of the file, its last one without a line
/// end) in pieces of about `piece_len` bytes for the cores to parse side by side; how
/// far the pieces reach (the rest waits for more text); and what the records showed.
fn split(text: &[u8], layout: &Layout, eof: bool, piece_len: usize) -> (Vec<Piece>, usize, Seen) {
    let mut pieces = Vec::new();
    let mut seen = Seen::default();
    let mut note = |ends: &Ends| {
        seen.short |= ends.short;
        seen.long |= ends.long;
    };
    let mut start = 0;
    while start < text.len() {
        let end = (start + piece_len).min(text.len());
        let mut ends = record_ends(&text[start..end], layout);
        if ends.count == 0 {
            // A record longer than a piece (or the rest of the text).
            let Some(first) = first_record_end(&text[start..], layout.quote, layout.eol) else { break };
            ends = record_ends(&text[start..start + first], layout);
        }
        note(&ends);
        pieces.push(Piece { from: start, to: start + ends.after_last, records: ends.count });
        start += ends.after_last;
    }
    if eof && start < text.len() {
        let open = record_ends(&text[start..], layout);
        let n = open.open_separators;
        note(&Ends { short: n < layout.separators, long: n > layout.separators, ..open });
        pieces.push(Piece { from: start, to: text.len(), records: 1 });
        start = text.len();
    }
    (pieces, start, seen)
}

/// The offset just after the first record end in `bytes`, if it has one.
fn first_record_end(bytes: &[u8], quote: Option<u8>, eol: u8) -> Option<usize> {
    let mut in_quotes = false;
    for (i, &b) in bytes.iter().enumerate() {
        if Some(b) == quote {
            in_quotes = !in_quotes;
        } else if b == eol && !in_quotes {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(quote: Option<u8>, separators: usize) -> Layout {
        Layout { quote, separator: b',', eol: b'\n', separators }
    }

    /// Byte by byte, as the definition says.
    fn by_hand(bytes: &[u8], layout: &Layout) -> Ends {
        let mut ends = Ends { count: 0, after_last: 0, short: false, long: false, open_separators: 0 };
        let mut in_quotes = false;
        for (i, &b) in bytes.iter().enumerate() {
            if Some(b) == layout.quote {
                in_quotes = !in_quotes;
            } else if b == layout.eol && !in_quotes {
                ends.count += 1;
                ends.after_last = i + 1;
                ends.short |= ends.open_separators < layout.separators;
                ends.long |= ends.open_separators > layout.separators;
                ends.open_separators = 0;
            } else if b == layout.separator && !in_quotes {
                ends.open_separators += 1;
            }
        }
        ends
    }

    #[test]
    fn record_ends_skip_line_ends_and_separators_inside_quotes() {
        let text = b"a,b\n\"x\ny\",2\n\"\"\"q,\"\"\",3\nlast";
        let ends = Ends { count: 3, after_last: 23, short: false, long: false, open_separators: 0 };
        assert_eq!(record_ends(text, &layout(Some(b'"'), 1)), ends);
        assert_eq!(record_ends(text, &layout(None, 1)).count, 4, "without quoting every line end counts");
        let rows = b"a,b,c\na,b\na,b,c,d\n";
        let ends = record_ends(rows, &layout(Some(b'"'), 2));
        assert!(ends.short && ends.long, "{ends:?}");
    }

    #[test]
    fn a_split_covers_whole_records_in_order_and_leaves_the_open_one_until_the_end() {
        // Three whole records (one with a quoted line end, one with a cell too few)
        // and one without a line end.
        let text = b"a,b\n\"x\ny\",2\nc\nlast,1";
        let layout = layout(Some(b'"'), 1);
        for piece_len in [1, 3, 8, 64] {
            let (pieces, reach, seen) = split(text, &layout, false, piece_len);
            assert_eq!(reach, 14, "the open record waits for more text");
            assert_eq!(pieces.first().map(|p| p.from), Some(0));
            assert!(pieces.windows(2).all(|w| w[0].to == w[1].from), "pieces are contiguous");
            assert_eq!(pieces.iter().map(|p| p.records).sum::<usize>(), 3);
            assert!(seen.short && !seen.long, "`c` has one cell of two");
            let (pieces, reach, _) = split(text, &layout, true, piece_len);
            assert_eq!((reach, pieces.iter().map(|p| p.records).sum::<usize>()), (text.len(), 4));
        }
    }

    #[test]
    fn record_ends_match_a_byte_by_byte_count_across_word_and_block_edges() {
        // A small generator (no crate needed): text of quotes, line ends, separators
        // and letters, at every length across several 64-byte blocks.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let alphabet = [b'"', b'\n', b',', b'a', b'b', b'\r', 0xC3, 0xA0];
        for len in 0..400 {
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            for quote in [Some(b'"'), None] {
                for separators in [0, 1, 2, 5] {
                    let layout = layout(quote, separators);
                    assert_eq!(record_ends(&text, &layout), by_hand(&text, &layout), "length {len}");
                }
            }
        }
    }
}
