//! Files → checked records, batch by batch, in bounded memory.
//!
//! Every command reads data through `scan`: each file is read (CSV in blocks split
//! where records end, Parquet one row group at a time, the rest whole), mapped to
//! canonical columns, checked, and handed on as typed batches in file order. Record ids are kept only as 64-bit
//! hashes, so the duplicate check costs 8 bytes a record; when two hashes meet, the
//! caller re-reads for the exact places (see `data::checked`).

use polars::prelude::*;
use rayon::prelude::*;

use super::colmap::ColumnMap;
use super::mapping::{self, Canonical};
use super::read::{self, RawTable, Source};
use super::validate::{self, CheckOptions};
use super::DataFile;
use crate::diagnostics::{Check, Diagnostic, Report, Severity};
use crate::error::{Error, Result};
use crate::indicator::Library;

/// Where checked batches go: collected into one frame, folded into figures, or nowhere.
pub trait Records {
    /// One batch of typed records (canonical columns, `__file`, `__row`, `__ok`).
    fn batch(&mut self, records: DataFrame) -> Result<()>;
    /// Forget every batch: the scan starts again (see `read::Stream::projected`).
    fn restart(&mut self);
}

/// Records that are only checked, not kept (`validate`).
pub struct Discard;

impl Records for Discard {
    fn batch(&mut self, _: DataFrame) -> Result<()> {
        Ok(())
    }
    fn restart(&mut self) {}
}

/// Two sinks fed the same batches.
pub struct Both<'a, A: Records, B: Records>(pub &'a mut A, pub &'a mut B);

impl<A: Records, B: Records> Records for Both<'_, A, B> {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        self.0.batch(records.clone())?;
        self.1.batch(records)
    }
    fn restart(&mut self) {
        self.0.restart();
        self.1.restart();
    }
}

/// A sink that may not be there (a check the library has no rule for).
impl<R: Records> Records for Option<R> {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        match self {
            Some(sink) => sink.batch(records),
            None => Ok(()),
        }
    }
    fn restart(&mut self) {
        if let Some(sink) = self {
            sink.restart();
        }
    }
}

/// Run `scan` (through `run`) with `sink` on a thread of its own, so that the checks of
/// batch k+1 overlap the sink's work on batch k. Batches reach the sink in file order,
/// so a fold adds every record in the same order, and to the same sums, as without it.
pub fn sink_on_own_thread<R: Records + Send, T>(
    sink: &mut R,
    run: impl FnOnce(&mut dyn Records) -> Result<T>,
) -> Result<T> {
    let (send, receive) = std::sync::mpsc::sync_channel::<ToSink>(1);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || -> Result<()> {
            let mut busy = crate::timing::Total::new();
            for message in receive {
                match message {
                    ToSink::Batch(records) => busy.time(|| sink.batch(records))?,
                    ToSink::Restart => sink.restart(),
                }
            }
            busy.report("records taken (on their own thread)");
            Ok(())
        });
        let mut forward = Forward(send);
        let out = run(&mut forward);
        drop(forward); // ends the worker's loop
        let worked =
            worker.join().unwrap_or_else(|_| Err(Error::internal("the thread taking records stopped unexpectedly")));
        // A sink's error comes first: it is why forwarding to it failed.
        worked.and(out)
    })
}

enum ToSink {
    Batch(DataFrame),
    Restart,
}

/// The scan's side of `sink_on_own_thread`.
struct Forward(std::sync::mpsc::SyncSender<ToSink>);

impl Records for Forward {
    fn batch(&mut self, records: DataFrame) -> Result<()> {
        // Fails only when the sink has stopped on an error, which is then reported.
        self.0.send(ToSink::Batch(records)).map_err(|_| Error::internal("records sent after the sink stopped"))
    }
    fn restart(&mut self) {
        let _ = self.0.send(ToSink::Restart);
    }
}

/// What a scan found.
#[derive(Debug)]
pub struct Scanned {
    pub report: Report,
    pub files: Vec<String>,
    /// Per file, how to name its record_id column in messages.
    pub id_headings: Vec<String>,
    /// Two record ids share a hash: almost surely a repeated id (exact check needed).
    pub ids_may_repeat: bool,
}

/// Rows per batch: big enough for polars to read ahead efficiently and for the checks
/// to run in parallel slices, small enough that a batch is tens of megabytes.
/// `IMPACT_BATCH_ROWS` overrides it (tests use tiny batches to cross batch edges).
pub fn batch_rows() -> usize {
    std::env::var("IMPACT_BATCH_ROWS").ok().and_then(|v| v.parse().ok()).filter(|n| *n > 0).unwrap_or(500_000)
}

/// Read, map and check every file, handing checked batches to `sink`. With `wanted`
/// (canonical columns the caller uses), CSV and Parquet files are read for those
/// columns and the ones checked; if that read meets a row blank in every column read
/// (which might not be blank in the columns left out), the scan starts again reading
/// everything, so the report never depends on `wanted`.
pub fn scan(
    files: &[DataFile],
    library: &Library,
    opts: &CheckOptions,
    wanted: Option<&[&str]>,
    sink: &mut dyn Records,
) -> Result<Scanned> {
    if files.is_empty() {
        return Err(Error::usage("no data files given").with_hint(
            "pass one or more files, e.g. samples/outcomes.csv, or list them as [[source]] in a project's impact.toml (`impact init`)",
        ));
    }
    let files = &once_each(files)?;
    // Records are compared across files in every canonical field, so with two files
    // or more every field is read.
    let wanted = if files.len() > 1 { None } else { wanted };
    let columns: Option<Vec<&str>> = wanted.map(|w| CHECKED.iter().chain(w).copied().collect());
    match scan_once(files, library, opts, columns.as_deref(), sink)? {
        Some(done) => Ok(done),
        None => {
            sink.restart();
            scan_once(files, library, opts, None, sink)?
                .ok_or_else(|| Error::internal("a full read asked to be repeated"))
        }
    }
}

/// Each file once, however many names reach it (`a.csv` and `./a.csv`, two
/// patterns of a project, a link): read twice, every figure would double. Files are
/// compared by their resolved paths; one file reached with two different maps or
/// sheets is refused, since its records cannot be read two ways at once.
pub fn once_each<'a>(files: &[DataFile<'a>]) -> Result<Vec<DataFile<'a>>> {
    let mut seen: Vec<(std::path::PathBuf, DataFile<'a>)> = Vec::with_capacity(files.len());
    let mut kept = Vec::with_capacity(files.len());
    for file in files {
        // A file that cannot be resolved (missing) is left for its reader to report.
        let Ok(real) = std::fs::canonicalize(file.path) else {
            kept.push(*file);
            continue;
        };
        match seen.iter().find(|(p, _)| *p == real) {
            None => {
                seen.push((real, *file));
                kept.push(*file);
            }
            Some((_, first)) if same_map(first.map, file.map) => {}
            Some((_, first)) => {
                return Err(Error::usage(format!(
                    "{} and {} are the same file, named with two different column maps or sheets",
                    first.path.display(),
                    file.path.display()
                ))
                .with_hint("name each file once: narrow the [[source]] patterns so that no file matches two"))
            }
        }
    }
    Ok(kept)
}

fn same_map(a: Option<&ColumnMap>, b: Option<&ColumnMap>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => std::ptr::eq(a, b) || a == b,
        _ => false,
    }
}

/// Columns every scan reads, because the checks look at them.
const CHECKED: [&str; 8] =
    ["record_id", "organisation", "programme", "indicator", "date", "value", "participant", "simd_decile"];

/// One pass over the files; None when a projected read met a blank row.
fn scan_once(
    files: &[DataFile],
    library: &Library,
    opts: &CheckOptions,
    wanted: Option<&[&str]>,
    sink: &mut dyn Records,
) -> Result<Option<Scanned>> {
    let mut report = Report::default();
    let mut id_headings = Vec::new();
    let mut hashes = IdHashes::default();
    let mut records = RecordHashes { on: files.len() > 1, seen: Vec::new() };
    for (i, file) in files.iter().enumerate() {
        let t = crate::timing::start();
        let opts = &read_as_mapped(opts, file.map);
        let Some((file_report, id_heading)) =
            scan_file(file.path, i as u32, library, file.map, opts, wanted, sink, &mut hashes, &mut records)?
        else {
            return Ok(None);
        };
        crate::timing::lap(&t, "read and check");
        report.merge(file_report);
        id_headings.push(id_heading);
    }
    let t = crate::timing::start();
    let ids_may_repeat = hashes.any_repeat();
    crate::timing::lap(&t, "duplicate ids (hashes)");
    records.refuse_repeats(files)?;
    crate::timing::lap(&t, "records repeated across files");
    let files = files.iter().map(|f| f.path.display().to_string()).collect();
    Ok(Some(Scanned { report, files, id_headings, ids_may_repeat }))
}

/// The check options for a file read with `map`: what the map says of how its cells
/// are written (dates, two-digit years, words for counts).
fn read_as_mapped(opts: &CheckOptions, map: Option<&ColumnMap>) -> CheckOptions {
    let mut opts = opts.clone();
    if let Some(m) = map {
        opts.date_format = m.source.date_format.clone().or(opts.date_format);
        opts.century_start = m.source.century_start.unwrap_or(opts.century_start);
        opts.value_words = m.values.iter().map(|(w, v)| (w.trim().to_lowercase(), *v)).collect();
    }
    opts
}

/// One file: its report and its record_id heading; None to restart unprojected.
#[allow(clippy::too_many_arguments)]
fn scan_file(
    path: &std::path::Path,
    index: u32,
    library: &Library,
    map: Option<&ColumnMap>,
    opts: &CheckOptions,
    wanted: Option<&[&str]>,
    sink: &mut dyn Records,
    hashes: &mut IdHashes,
    records: &mut RecordHashes,
) -> Result<Option<(Report, String)>> {
    let mut report = Report { files: 1, ..Report::default() };
    let (mut checking, mut hashing, mut handing_on) =
        (crate::timing::Total::new(), crate::timing::Total::new(), crate::timing::Total::new());
    let mut per_batch =
        |c: Canonical, report: &mut Report, sink: &mut dyn Records, hashes: &mut IdHashes| -> Result<()> {
            report.records_read += c.df.height() as u64;
            if !c.usable || c.df.height() == 0 {
                return Ok(());
            }
            let (typed, rows) = checking.time(|| validate::check_rows(&c, index, library, opts))?;
            report.merge_rows(rows, opts.max_listed);
            hashing.time(|| hash_ids(&typed, hashes))?;
            records.add(&typed, index)?;
            handing_on.time(|| sink.batch(typed))
        };
    let (head, stream) = match read::open(path, map, wanted)? {
        Source::Whole(raw) => {
            let c = mapping::to_canonical(raw, map)?;
            let head = Head::of(&c);
            per_batch(c, &mut report, sink, hashes)?;
            (head, None)
        }
        Source::Stream(s) => {
            let head = Head::of(&mapping::to_canonical(s.empty.clone(), map)?);
            (head, Some(s))
        }
    };
    for d in &head.diagnostics {
        report.push(d.clone());
    }
    if let Some(s) = stream {
        let mut blank_in_projection = false;
        let mut mapping_time = crate::timing::Total::new();
        let letters = s.empty.letters.clone();
        let result = s.for_each(batch_rows(), |df| {
            let height = df.height();
            let raw =
                RawTable { path: s.path.clone(), df, letters: letters.clone(), warnings: Vec::new(), labelled: false };
            let c = mapping_time.time(|| mapping::to_canonical(raw, map))?;
            if s.projected && c.df.height() < height {
                // A row blank in every column read: stop, and read the file again whole.
                blank_in_projection = true;
                return Ok(std::ops::ControlFlow::Break(()));
            }
            per_batch(c, &mut report, sink, hashes).map(|_| std::ops::ControlFlow::Continue(()))
        });
        if blank_in_projection {
            return Ok(None);
        }
        result?;
        mapping_time.report("canonical columns");
    }
    checking.report("check rows");
    hashing.report("record id hashes");
    handing_on.report("hand on (fold or keep)");
    if report.records_read == 0 && head.usable {
        report.push(Diagnostic {
            severity: Severity::Error,
            check: Check::EmptyFile,
            file: path.display().to_string(),
            row: None,
            column: None,
            value: None,
            message: "the file has headings but no data rows".into(),
            hint: Some("export the sheet again with its rows, or leave this file out".into()),
        });
    }
    Ok(Some((report, head.id_heading)))
}

/// What a file's headings tell before any row is checked.
struct Head {
    diagnostics: Vec<Diagnostic>,
    usable: bool,
    id_heading: String,
}

impl Head {
    fn of(c: &Canonical) -> Head {
        Head {
            diagnostics: c.diagnostics.clone(),
            usable: c.usable,
            id_heading: c.headings.get("record_id").cloned().unwrap_or_else(|| "\"record_id\"".into()),
        }
    }
}

/// The 64-bit hash of each record id (xxh3: fast, well spread, the same on every run).
pub fn id_hash(id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes())
}

fn hash_ids(typed: &DataFrame, hashes: &mut IdHashes) -> Result<()> {
    let ids = typed.column("record_id")?.str()?;
    if ids.null_count() == ids.len() {
        return Ok(());
    }
    // Without gaps, chunk by chunk by row number: polars' iterator over the column (a
    // flat map zipping each row with its validity) was at times compiled out of line,
    // about 70 instructions a row against 40 (callgrind).
    if ids.null_count() > 0 {
        ids.iter().flatten().for_each(|id| hashes.push(id_hash(id)));
        return Ok(());
    }
    for arr in ids.downcast_iter() {
        (0..arr.len()).for_each(|i| hashes.push(id_hash(arr.value(i))));
    }
    Ok(())
}

/// Every valid record's hash with its file and row, when there are two files or more:
/// a record in one file identical in every canonical field to one in another is the
/// same record read twice (a converted return saved beside the return, a file copied
/// into two folders), and every figure would count it twice. xxh3's 128-bit hash
/// makes two different records with one hash vanishingly unlikely (about 10⁻²⁵ for
/// ten million records), so a shared hash is a repeat.
struct RecordHashes {
    on: bool,
    seen: Vec<(u128, u32, i64)>,
}

impl RecordHashes {
    fn add(&mut self, typed: &DataFrame, file: u32) -> Result<()> {
        if !self.on {
            return Ok(());
        }
        let fields: Vec<StringChunked> = crate::data::schema::names()
            .filter_map(|name| typed.column(name).ok())
            .map(|c| Ok(c.cast(&DataType::String)?.str()?.clone()))
            .collect::<Result<_>>()?;
        let rows = typed.column(crate::data::schema::ROW)?.cast(&DataType::Int64)?;
        let rows = rows.i64()?;
        let ok = typed.column(crate::data::schema::OK)?.bool()?.clone();
        for r in 0..typed.height() {
            if ok.get(r) != Some(true) {
                continue;
            }
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            for f in &fields {
                match f.get(r) {
                    Some(v) => {
                        h.update(&[1]);
                        h.update(v.as_bytes());
                    }
                    None => h.update(&[0]),
                }
                h.update(&[0x1f]);
            }
            self.seen.push((h.digest128(), file, rows.get(r).unwrap_or(0)));
        }
        Ok(())
    }

    /// Refuses the data when a record of one file is in another, naming both places.
    fn refuse_repeats(mut self, files: &[DataFile]) -> Result<()> {
        if !self.on {
            return Ok(());
        }
        self.seen.par_sort_unstable();
        let mut repeats: Vec<((u32, i64), (u32, i64))> = Vec::new();
        for same in self.seen.chunk_by(|a, b| a.0 == b.0) {
            if let Some(other) = same.iter().find(|r| r.1 != same[0].1) {
                repeats.push(((same[0].1, same[0].2), (other.1, other.2)));
            }
        }
        repeats.sort_unstable();
        let Some(((f1, r1), (f2, r2))) = repeats.first().copied() else { return Ok(()) };
        let name = |f: u32| {
            files.get(f as usize).map_or_else(String::new, |d| {
                crate::output::escape_controls(&d.path.display().to_string()).into_owned()
            })
        };
        let more = match repeats.len() {
            1 => String::new(),
            n => format!(" ({} more records of one file are in another)", n - 1),
        };
        Err(Error::usage(format!(
            "{} row {r1} and {} row {r2} hold the same record (every field equal): it would be counted twice{more}",
            name(f1),
            name(f2)
        ))
        .with_hint(
            "a file read twice? Keep one of the two (a converted copy saved beside its return is read with it), or give each record a record_id",
        ))
    }
}

/// Record id hashes in 256 buckets by their top byte, each bucket in blocks (of up
/// to `BLOCK` hashes) that never move: there is never a moment holding the whole list
/// twice (one vector doubling from 32M to 64M entries would), no hash is copied as
/// the list grows (growing vectors copied into fresh memory caused a fifth of a 10M
/// record read's page faults), and the buckets are searched in parallel.
struct IdHashes {
    buckets: Vec<Vec<Vec<u64>>>,
}

/// Hashes per block at most: 64 KiB.
const BLOCK: usize = 8192;

impl Default for IdHashes {
    fn default() -> Self {
        IdHashes { buckets: vec![Vec::new(); 256] }
    }
}

impl IdHashes {
    #[inline(always)]
    fn push(&mut self, hash: u64) {
        let blocks = &mut self.buckets[(hash >> 56) as usize];
        match blocks.last_mut() {
            Some(block) if block.len() < block.capacity() => block.push(hash),
            _ => Self::new_block(blocks, hash),
        }
    }

    /// Start a bucket's next block with `hash`. Blocks double from 64 hashes up to
    /// `BLOCK`, so a small file's 256 buckets take 128 KiB, not 16 MiB.
    #[cold]
    fn new_block(blocks: &mut Vec<Vec<u64>>, hash: u64) {
        let size = blocks.last().map_or(64, |b| b.capacity() * 2).min(BLOCK);
        let mut block = Vec::with_capacity(size);
        block.push(hash);
        blocks.push(block);
    }

    fn any_repeat(&self) -> bool {
        self.buckets.par_iter().any(|b| has_repeat(b))
    }
}

/// Whether `hashes` holds a value twice. Each goes into an open-addressed table
/// twice the list's size, at its low bits (xxh3's are as good as any); a bucket's
/// table fits in the cache. 10M ids: 0.13 s sorting the buckets, 0.03 s so.
fn has_repeat(blocks: &[Vec<u64>]) -> bool {
    let len: usize = blocks.iter().map(Vec::len).sum();
    let size = (len * 2).next_power_of_two().max(16);
    let mask = size - 1;
    // 0 marks an empty slot, so a hash of 0 is counted aside.
    let mut table = vec![0u64; size];
    let mut zero_seen = false;
    for &h in blocks.iter().flatten() {
        if h == 0 {
            if zero_seen {
                return true;
            }
            zero_seen = true;
            continue;
        }
        let mut slot = h as usize & mask;
        loop {
            match table[slot] {
                0 => {
                    table[slot] = h;
                    break;
                }
                seen if seen == h => return true,
                _ => slot = (slot + 1) & mask,
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps the heights of the batches it takes; fails on the batch numbered `fail_at`.
    #[derive(Default)]
    struct Heights {
        taken: Vec<usize>,
        restarts: usize,
        fail_at: Option<usize>,
    }

    impl Records for Heights {
        fn batch(&mut self, records: DataFrame) -> Result<()> {
            if Some(self.taken.len()) == self.fail_at {
                return Err(Error::usage("the sink failed"));
            }
            self.taken.push(records.height());
            Ok(())
        }
        fn restart(&mut self) {
            self.taken.clear();
            self.restarts += 1;
        }
    }

    fn rows(n: usize) -> DataFrame {
        DataFrame::new(n, vec![Column::new("x".into(), vec![0i32; n])]).unwrap()
    }

    #[test]
    fn a_sink_on_its_own_thread_takes_batches_in_order() {
        let mut sink = Heights::default();
        let out = sink_on_own_thread(&mut sink, |s| {
            for n in [3, 1, 4] {
                s.batch(rows(n))?;
            }
            s.restart();
            for n in 1..=20 {
                s.batch(rows(n))?;
            }
            Ok("done")
        });
        assert_eq!(out.unwrap(), "done");
        assert_eq!(sink.restarts, 1);
        assert_eq!(sink.taken, (1..=20).collect::<Vec<_>>());
    }

    #[test]
    fn a_sinks_error_is_the_one_reported() {
        let mut sink = Heights { fail_at: Some(2), ..Heights::default() };
        let out = sink_on_own_thread(&mut sink, |s| {
            for n in 1..=50 {
                s.batch(rows(n))?;
            }
            Ok(())
        });
        let message = out.unwrap_err().to_string();
        assert!(message.contains("the sink failed"), "{message}");
        assert_eq!(sink.taken, [1, 2]);
    }

    #[test]
    fn a_repeated_hash_is_found_wherever_it_lands() {
        assert!(!has_repeat(&[]));
        assert!(!has_repeat(&[vec![], vec![]]));
        assert!(!has_repeat(&[vec![0]]));
        assert!(has_repeat(&[vec![0, 5, 0]]));
        assert!(has_repeat(&[vec![0, 5], vec![0]]));
        // Values that share their low bits probe past each other, wrapping round the end.
        let same_slot: Vec<u64> = (1..=40u64).map(|k| (k << 40) | 31).collect();
        assert!(!has_repeat(std::slice::from_ref(&same_slot)));
        let mut twice = same_slot.clone();
        twice.push(same_slot[39]);
        assert!(has_repeat(&[twice]));
        // Against the sorted answer, for lists of many sizes.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for len in [1usize, 2, 15, 16, 17, 1000, 5000] {
            let mut list: Vec<u64> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    state >> 3 // small enough that long lists repeat now and then
                })
                .map(|v| v % (len as u64 * 40))
                .collect();
            // In blocks of 7, so repeats fall in different blocks too.
            let blocks: Vec<Vec<u64>> = list.chunks(7).map(<[u64]>::to_vec).collect();
            let found = has_repeat(&blocks);
            list.sort_unstable();
            assert_eq!(found, list.windows(2).any(|w| w[0] == w[1]), "length {len}");
        }
    }

    #[test]
    fn hashes_kept_in_blocks_are_all_searched() {
        // One bucket (top byte 7) over nine blocks; a repeat of the first hash is
        // found from the last block, and none is found without it.
        let hash = |k: u64| 7 << 56 | k;
        let mut hashes = IdHashes::default();
        (0..2 * BLOCK as u64 + 5).for_each(|k| hashes.push(hash(k)));
        let blocks = &hashes.buckets[7];
        // 64, 128 … 4,096 (8,128 in all), then 8,192, and the last 69.
        let sizes: Vec<usize> = blocks.iter().map(Vec::len).collect();
        assert_eq!(sizes, [64, 128, 256, 512, 1024, 2048, 4096, 8192, 69]);
        assert!(blocks.iter().all(|b| b.capacity() <= BLOCK));
        assert!(!hashes.any_repeat());
        hashes.push(hash(0));
        assert!(hashes.any_repeat());
    }
}
