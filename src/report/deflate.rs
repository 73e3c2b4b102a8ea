//! Deflating a PDF's streams, at a level chosen for speed.

/// The deflate level for the pages' content streams (a font, deflated once per
/// process and shared by a batch's reports, is deflated at 9). printpdf's own pass uses 9. On 1,000 board
/// packs (BENCHMARKS.md), 6 took 11% less time than 9 for 1.3% bigger files, and 3
/// another 5–7% less (user time 6–12%) for 5.2% bigger files (52 KB a pack, not 49).
const DEFLATE_LEVEL: u32 = 3;

pub fn deflate_level() -> u32 {
    // For the benchmark's comparison of levels only.
    std::env::var("IMPACT_DEFLATE_LEVEL").ok().and_then(|v| v.parse().ok()).filter(|l| *l <= 9).unwrap_or(DEFLATE_LEVEL)
}

/// Deflate `stream` unless it has a filter already, keeping it plain when
/// deflating would not make it smaller (as lopdf's own pass does).
pub fn deflate_at(stream: &mut lopdf::Stream, level: u32) {
    use std::io::Write as _;
    if stream.dict.get(b"Filter").is_ok() {
        return;
    }
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
    let Ok(compressed) = encoder.write_all(&stream.content).and_then(|()| encoder.finish()) else { return };
    if compressed.len() + 19 < stream.content.len() {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(compressed);
    }
}
