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
/// that a block and its records are tens of megabytes.
const BLOCK: usize = 32 << 20;

/// Record ends (line ends outside quoted cells) in text that starts at a record's
/// start: how many, and the offset just after the last one (0 for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ends {
    pub count: usize,
    pub after_last: usize,
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

/// The record ends in `bytes`, which starts at a record's start: line ends (`eol`)
/// outside quoted cells, a doubled quote counting twice (in and out again).
pub(super) fn record_ends(bytes: &[u8], quote: Option<u8>, eol: u8) -> Ends {
    let lanes = |b: u8| u64::from(b) * 0x0101_0101_0101_0101;
    let (eols, quotes) = (lanes(eol), quote.map(lanes));
    let mut inside = 0u64; // all ones while inside quotes
    let mut ends = Ends { count: 0, after_last: 0 };
    let mut blocks = bytes.chunks_exact(64);
    let mut base = 0;
    for block in &mut blocks {
        let (mut e, mut q) = (0u64, 0u64);
        for (k, word) in block.chunks_exact(8).enumerate() {
            let word = u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
            e |= equal_bits(word, eols) << (8 * k);
            if let Some(quotes) = quotes {
                q |= equal_bits(word, quotes) << (8 * k);
            }
        }
        let quoted = prefix_xor(q) ^ inside;
        inside = ((quoted as i64) >> 63) as u64;
        let outside = e & !quoted;
        if outside != 0 {
            ends.count += outside.count_ones() as usize;
            ends.after_last = base + 64 - outside.leading_zeros() as usize;
        }
        base += 64;
    }
    let mut in_quotes = inside != 0;
    for (i, &b) in blocks.remainder().iter().enumerate() {
        if Some(b) == quote {
            in_quotes = !in_quotes;
        } else if b == eol && !in_quotes {
            ends.count += 1;
            ends.after_last = base + i + 1;
        }
    }
    ends
}

/// How to read a CSV file's records: polars' parse options and the file's columns
/// (all text), and the spreadsheet row of its headings.
pub(super) struct CsvChunks {
    pub options: CsvParseOptions,
    pub schema: SchemaRef,
    pub header_row: u64,
}

impl CsvChunks {
    /// Hand every record to `each` in blocks (columns as headed, plus `__row`),
    /// reading and parsing the next block while `each` works on this one. A polars
    /// error is returned as polars gives it (the caller says where in the file).
    pub(super) fn for_each(
        &self,
        path: &Path,
        mut each: impl FnMut(DataFrame) -> Result<std::ops::ControlFlow<()>>,
        on_error: &(dyn Fn(PolarsError) -> Error + Send + Sync),
    ) -> Result<()> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<DataFrame>>(1);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                if let Err(e) = self.read(path, |df| send.send(Ok(df)).is_ok(), on_error) {
                    let _ = send.send(Err(e));
                }
            });
            for block in receive {
                // Returning drops the receiver, which stops the reading thread.
                if each(block?)?.is_break() {
                    return Ok(());
                }
            }
            Ok(())
        })
    }

    /// Read the file block by block, sending each block's records until `send` says
    /// the taker has gone.
    fn read(
        &self,
        path: &Path,
        mut send: impl FnMut(DataFrame) -> bool,
        on_error: &(dyn Fn(PolarsError) -> Error + Send + Sync),
    ) -> Result<()> {
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let (quote, eol) = (self.options.quote_char, self.options.eol_char);
        let mut text: Vec<u8> = Vec::new();
        let mut eof = false;
        // The heading row (and any rows above it) are not records.
        let mut to_skip = self.header_row;
        let mut rows_before = self.header_row as i64;
        let pieces_per_block = rayon::current_num_threads().max(1) * 4;
        loop {
            if !eof {
                let had = text.len();
                text.resize(had + BLOCK, 0);
                let got = read_full(&mut file, &mut text[had..]).map_err(|e| Error::io(path, e))?;
                text.truncate(had + got);
                eof = got == 0;
            }
            while to_skip > 0 {
                match first_record_end(&text, quote, eol) {
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
            // Pieces ending where records end, for the cores to parse side by side.
            let piece_len = (text.len() / pieces_per_block).max(64 << 10);
            let mut pieces: Vec<(usize, usize, usize)> = Vec::new();
            let mut start = 0;
            while start < text.len() {
                let end = (start + piece_len).min(text.len());
                let ends = record_ends(&text[start..end], quote, eol);
                if ends.count > 0 {
                    pieces.push((start, start + ends.after_last, ends.count));
                    start += ends.after_last;
                } else if let Some(first) = first_record_end(&text[start..], quote, eol) {
                    // A record longer than a piece.
                    pieces.push((start, start + first, 1));
                    start += first;
                } else {
                    break;
                }
            }
            // At the end of the file, a last record without a line end.
            if eof && start < text.len() {
                pieces.push((start, text.len(), 1));
                start = text.len();
            }
            if !pieces.is_empty() {
                let frames: Vec<PolarsResult<DataFrame>> =
                    pieces.par_iter().map(|&(from, to, records)| self.parse(&text[from..to], records)).collect();
                let mut block = DataFrame::empty();
                for frame in frames {
                    let frame = frame.map_err(on_error)?;
                    if block.width() == 0 {
                        block = frame;
                    } else {
                        block.vstack_mut(&frame)?;
                    }
                }
                let height = block.height() as i64;
                let first = rows_before + 1;
                // First, where polars' row index puts it.
                block.insert_column(
                    0,
                    Column::new(crate::data::schema::ROW.into(), (first..first + height).collect::<Vec<i64>>()),
                )?;
                rows_before += height;
                text.drain(..start);
                if !send(block) {
                    return Ok(());
                }
            }
            if eof {
                return Ok(());
            }
        }
    }

    /// One piece's records, checked as polars' streaming reader checks them: UTF-8,
    /// and as many rows parsed as record ends counted.
    fn parse(&self, piece: &[u8], records: usize) -> PolarsResult<DataFrame> {
        polars_ensure!(validate_utf8(piece), ComputeError: "invalid utf-8 sequence");
        let projection: Vec<usize> = (0..self.schema.len()).collect();
        let df = read_chunk(
            piece,
            &self.options,
            &self.schema,
            false,
            &projection,
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
        Ok(df)
    }
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

/// Read until `buf` is full or the file ends; the bytes read.
fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte by byte, as the definition says.
    fn by_hand(bytes: &[u8], quote: Option<u8>, eol: u8) -> Ends {
        let mut ends = Ends { count: 0, after_last: 0 };
        let mut in_quotes = false;
        for (i, &b) in bytes.iter().enumerate() {
            if Some(b) == quote {
                in_quotes = !in_quotes;
            } else if b == eol && !in_quotes {
                ends.count += 1;
                ends.after_last = i + 1;
            }
        }
        ends
    }

    #[test]
    fn record_ends_skip_line_ends_inside_quotes() {
        let text = b"a,b\n\"x\ny\",2\n\"\"\"q\"\"\",3\nlast";
        assert_eq!(record_ends(text, Some(b'"'), b'\n'), Ends { count: 3, after_last: 22 });
        assert_eq!(record_ends(text, None, b'\n').count, 4, "without quoting every line end counts");
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
                assert_eq!(record_ends(&text, quote, b'\n'), by_hand(&text, quote, b'\n'), "length {len}");
            }
        }
    }
}
