//! Looking up every text of a column without hashing or comparing strings per row.
//!
//! Arrow keeps each text of a string column as a 16-byte view: a text of up to 12
//! bytes is stored inside its view; a longer one is its length, first four bytes and
//! place (buffer and offset) in the column's buffers. So two equal short views are
//! equal texts anywhere, and two equal long views are equal texts within one chunk.
//! Readers that decode a dictionary (Parquet) give every repeat of a text the same
//! view; a CSV reader gives each long text its own place, so a chunk whose long views
//! miss 256 times without a hit is taken as unshared and its long texts are looked up
//! directly (caching them cost a CSV aggregate about 10% of its CPU time).

use polars::prelude::*;

/// Long views cached per chunk at most: past this the column is not dictionary-like.
const LONG_VIEWS_CACHED: usize = 4096;
/// Misses without a hit after which a chunk's long views are taken as not shared.
const UNSHARED_AFTER: usize = 256;

/// `lookup` of every text of `texts`, in row order, each distinct view once per
/// chunk. `lookup` must give the same answer for the same text.
pub fn code_texts<T: Copy>(texts: &StringChunked, mut lookup: impl FnMut(Option<&str>) -> T) -> Vec<T> {
    let mut short: PlHashMap<u128, T> = PlHashMap::default();
    let mut out = Vec::with_capacity(texts.len());
    if texts.null_count() > 0 {
        // Columns with gaps (rare in big files) take the plain path.
        out.extend(texts.iter().map(&mut lookup));
        return out;
    }
    // A direct-mapped cache in front of the maps, emptied for each chunk (a long
    // view means its text only within its chunk): a column of few distinct texts
    // (indicators, organisations) finds nearly every row there, for a multiply and a
    // compare instead of a hash map's lookup.
    let mut front: Vec<Option<(u128, T)>> = vec![None; FRONT_SLOTS];
    for arr in texts.downcast_iter() {
        front.fill(None);
        let mut long: PlHashMap<u128, T> = PlHashMap::default();
        // Views not shared (a CSV's) never hit: after that many misses without a hit
        // the chunk's long texts are looked up directly, not cached.
        let (mut hits, mut misses) = (0usize, 0usize);
        for (i, view) in arr.views().iter().enumerate() {
            let key = view.as_u128();
            let slot = front_slot(key);
            if let Some((seen, coded)) = front[slot] {
                if seen == key {
                    // A long view seen again is a hit: the chunk's views are shared.
                    hits += usize::from(view.length > 12);
                    out.push(coded);
                    continue;
                }
            }
            let unshared = hits == 0 && misses >= UNSHARED_AFTER;
            let coded = if view.length <= 12 {
                *short.entry(key).or_insert_with(|| lookup(Some(arr.value(i))))
            } else if unshared {
                lookup(Some(arr.value(i)))
            } else if let Some(t) = long.get(&key) {
                hits += 1;
                *t
            } else {
                misses += 1;
                let t = lookup(Some(arr.value(i)));
                if long.len() < LONG_VIEWS_CACHED {
                    long.insert(key, t);
                }
                t
            };
            // An unshared long view never comes again: not worth a slot.
            if view.length <= 12 || !unshared {
                front[slot] = Some((key, coded));
            }
            out.push(coded);
        }
    }
    out
}

/// Slots in `code_texts`' front cache.
const FRONT_SLOTS: usize = 1 << FRONT_BITS;
const FRONT_BITS: u32 = 10;

/// A view's slot in the front cache: its two halves mixed by a multiply, top bits.
fn front_slot(view: u128) -> usize {
    let mixed = (view as u64 ^ (view >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> (64 - FRONT_BITS)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain<T>(texts: &StringChunked, lookup: impl FnMut(Option<&str>) -> T) -> Vec<T> {
        texts.iter().map(lookup).collect()
    }

    #[test]
    fn views_code_as_the_texts_do() {
        // Short (inline) and long texts, repeated, in two chunks; a column with gaps;
        // and a column read from Parquet, whose long texts share views.
        let mut a = StringChunked::from_slice("t".into(), &["ORG1", "a-much-longer-organisation-name", "ORG1", "ORG2"]);
        a.append(&StringChunked::from_slice(
            "t".into(),
            &["ORG2", "a-much-longer-organisation-name", "ORG1", "another-long-text-here"],
        ))
        .unwrap();
        let gaps = StringChunked::from_iter_options(
            "t".into(),
            [Some("x"), None, Some("a-much-longer-organisation-name"), None].into_iter(),
        );
        let mut df =
            df!("t" => ["jobs_sustained_26_weeks", "volunteer_hours_given", "jobs_sustained_26_weeks", "x"].repeat(50))
                .unwrap();
        let mut buffer = Vec::new();
        ParquetWriter::new(&mut buffer).finish(&mut df).unwrap();
        let parquet = ParquetReader::new(std::io::Cursor::new(buffer)).finish().unwrap();
        let parquet = parquet.column("t").unwrap().str().unwrap().clone();
        for texts in [a, gaps, parquet] {
            let number = |t: Option<&str>| t.map(|t| t.len() * 1000 + t.bytes().map(usize::from).sum::<usize>());
            assert_eq!(code_texts(&texts, number), plain(&texts, number));
        }
    }

    #[test]
    fn texts_that_share_front_slots_code_as_the_texts_do() {
        // More distinct texts than the front cache has slots, short and long, in a
        // scrambled repeating order: slots are shared and overwritten all the time.
        let distinct: Vec<String> = (0..3 * FRONT_SLOTS)
            .map(|i| if i % 2 == 0 { format!("O{i}") } else { format!("a-long-organisation-name-{i:06}") })
            .collect();
        let order = (0..40_000usize).map(|k| &distinct[(k * 7919) % distinct.len()]);
        let texts = StringChunked::from_iter_values("t".into(), order.map(String::as_str));
        let mut twice = texts.clone();
        twice.append(&texts).unwrap();
        let number = |t: Option<&str>| t.map(|t| t.len() * 1000 + t.bytes().map(usize::from).sum::<usize>());
        for texts in [texts, twice] {
            assert_eq!(code_texts(&texts, number), plain(&texts, number));
        }
    }

    #[test]
    fn shared_long_views_stay_cached_past_the_first_misses() {
        // 300 distinct long texts, then each again four times, read back from Parquet
        // (whose dictionary gives repeats one view): the first 300 are all misses, but
        // the repeats are hits, so each text is looked up about once, not every time.
        let distinct: Vec<String> = (0..300).map(|i| format!("a-long-organisation-name-{i:06}")).collect();
        let column: Vec<&str> = (0..5).flat_map(|_| distinct.iter().map(String::as_str)).collect();
        let mut df = df!("t" => column).unwrap();
        let mut buffer = Vec::new();
        ParquetWriter::new(&mut buffer).finish(&mut df).unwrap();
        let parquet = ParquetReader::new(std::io::Cursor::new(buffer)).finish().unwrap();
        let texts = parquet.column("t").unwrap().str().unwrap().clone();
        let mut calls = 0;
        let coded = code_texts(&texts, |t| {
            calls += 1;
            t.map(str::len)
        });
        assert_eq!(coded, plain(&texts, |t| t.map(str::len)));
        assert!(calls <= 2 * distinct.len() * texts.chunks().len(), "{calls} lookups");
    }

    #[test]
    fn a_column_of_distinct_long_texts_is_coded_past_the_cache_limit() {
        let texts: Vec<String> = (0..LONG_VIEWS_CACHED * 2).map(|i| format!("participant-number-{i:08}")).collect();
        let texts = StringChunked::from_iter_values("t".into(), texts.iter().map(String::as_str));
        let number = |t: Option<&str>| t.and_then(|t| t["participant-number-".len()..].parse::<u32>().ok());
        let mut calls = 0;
        let coded = code_texts(&texts, |t| {
            calls += 1;
            number(t)
        });
        assert_eq!(coded, plain(&texts, number));
        assert_eq!(coded[LONG_VIEWS_CACHED * 2 - 1], Some(LONG_VIEWS_CACHED as u32 * 2 - 1));
        // Every text is distinct, so each is looked up once, whether cached or not
        // (past the first misses, not cached at all).
        assert_eq!(calls, texts.len());
    }
}
