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
    if stream.dict.get(b"Filter").is_ok() {
        return;
    }
    let Some(compressed) = deflate(&stream.content, level) else { return };
    if compressed.len() + 19 < stream.content.len() {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(compressed);
    }
}

thread_local! {
    /// One compressor per thread and level, reset between streams: setting one up
    /// (allocating and clearing its tables) cost as much as deflating a page.
    static COMPRESSORS: std::cell::RefCell<[Option<flate2::Compress>; 10]> = const { std::cell::RefCell::new([const { None }; 10]) };
}

/// `data` as a zlib stream at `level` (0–9).
pub fn deflate(data: &[u8], level: u32) -> Option<Vec<u8>> {
    let level = level.min(9);
    COMPRESSORS.with(|cell| {
        let mut slots = cell.borrow_mut();
        let compressor = match &mut slots[level as usize] {
            Some(c) => {
                c.reset();
                c
            }
            slot => slot.insert(flate2::Compress::new(flate2::Compression::new(level), true)),
        };
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let read = compressor.total_in() as usize;
            let status = compressor.compress_vec(&data[read..], &mut out, flate2::FlushCompress::Finish).ok()?;
            if status == flate2::Status::StreamEnd {
                return Some(out);
            }
            out.reserve(out.capacity().max(64));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_compressor_gives_what_a_new_one_gives() {
        use std::io::Read as _;
        let page: Vec<u8> = (0..20_000u32).flat_map(|i| format!("{} {} l\n", i % 97, i % 13).into_bytes()).collect();
        for data in [&page[..], b"", &page[..100], &page[..]] {
            let ours = deflate(data, 3).unwrap();
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(&ours[..]).read_to_end(&mut back).unwrap();
            assert_eq!(back, data);
            let mut fresh = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(3));
            std::io::Write::write_all(&mut fresh, data).unwrap();
            assert_eq!(ours, fresh.finish().unwrap(), "the same bytes as a fresh encoder");
        }
    }
}
