//! Columns read by row number, cheaply (polars' per-row access is slow in a hot loop).

use super::*;

/// Row `i`'s text of a column (a participant, a stock's organisation or programme):
/// the chunk found by a binary search over the chunks' ends, where `ChunkedArray::get`
/// asks each boxed chunk its length in turn.
pub(super) struct TextAt<'c> {
    pub(super) arrays: Vec<&'c <StringType as PolarsDataType>::Array>,
    /// Each chunk's end: the number of rows up to and including it.
    pub(super) ends: Vec<usize>,
}

impl<'c> TextAt<'c> {
    pub(super) fn new(texts: &'c StringChunked) -> TextAt<'c> {
        let arrays: Vec<_> = texts.downcast_iter().collect();
        let ends = arrays.iter().scan(0, |end, a| {
            *end += a.len();
            Some(*end)
        });
        TextAt { ends: ends.collect(), arrays }
    }

    pub(super) fn get(&self, i: usize) -> Option<&'c str> {
        let chunk = self.ends.partition_point(|&end| end <= i);
        let array = self.arrays.get(chunk)?;
        let at = i - chunk.checked_sub(1).map_or(0, |before| self.ends[before]);
        array.get(at)
    }
}

/// A numeric column in one piece, read by row number: polars' per-row iterators (a
/// flat map over the chunks, each zipped with its validity) cost the fold about a
/// hundred instructions a row where this costs a few (callgrind, 2M records).
pub(super) struct Plain<'c, T> {
    pub(super) values: &'c [T],
    /// The validity bits and the first one's place, when some value is missing.
    pub(super) gaps: Option<(&'c [u8], usize)>,
}

impl<'c, T: NumericNative> Plain<'c, T> {
    /// `whole` must be in one chunk (`rechunk`).
    pub(super) fn of<P: PolarsNumericType<Native = T>>(whole: &'c ChunkedArray<P>) -> Result<Plain<'c, T>> {
        let mut arrays = whole.downcast_iter();
        let (Some(array), None) = (arrays.next(), arrays.next()) else {
            return match whole.is_empty() {
                true => Ok(Plain { values: &[], gaps: None }),
                false => Err(crate::error::Error::internal("a column in more than one piece was read as one")),
            };
        };
        let gaps = array.validity().filter(|v| v.unset_bits() > 0).map(|v| {
            let (bits, first, _) = v.as_slice();
            (bits, first)
        });
        Ok(Plain { values: array.values().as_slice(), gaps })
    }

    #[inline(always)]
    pub(super) fn get(&self, i: usize) -> Option<T> {
        let v = self.values[i];
        match self.gaps {
            None => Some(v),
            Some((bits, first)) => {
                let at = first + i;
                (bits[at / 8] >> (at % 8) & 1 == 1).then_some(v)
            }
        }
    }
}
