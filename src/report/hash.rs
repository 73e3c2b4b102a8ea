//! A short, stable fingerprint of a report's inputs (data, spec, library, tables),
//! printed in the footer so a reader can tell two runs on the same inputs apart
//! from runs on different ones. Not a security hash.

use std::io::Read;
use std::path::Path;

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = OFFSET;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// Running FNV-1a over several files (name length, name, then contents).
#[derive(Debug, Clone)]
pub struct InputHash(u64);

impl Default for InputHash {
    fn default() -> Self {
        InputHash(OFFSET)
    }
}

impl InputHash {
    pub fn add_bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(PRIME);
        }
    }

    pub fn add_file(&mut self, path: &Path) -> std::io::Result<()> {
        if let Some(text) = crate::builtin::text_of(path) {
            self.add_bytes(text.as_bytes());
            return Ok(());
        }
        let mut f = std::fs::File::open(path)?;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            self.add_bytes(&buf[..n]);
        }
    }

    /// Twelve hex digits: short enough for a footer, long enough to tell runs apart.
    pub fn short(&self) -> String {
        format!("{:012x}", self.0 >> 16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        let mut h = InputHash::default();
        h.add_bytes(b"a");
        assert_eq!(h.short(), format!("{:012x}", 0xaf63dc4c8601ec8cu64 >> 16));
    }
}
