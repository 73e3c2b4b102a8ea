//! A page break: what follows starts on a new page.

use super::*;

/// Start a new page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageBreak {}

impl SectionKind for PageBreak {
    fn name(&self) -> &'static str {
        "page_break"
    }

    fn blocks(&self, _ctx: &Context, _n: usize, out: &mut Blocks) -> Result<()> {
        out.0.push(Block::PageBreak);
        Ok(())
    }
}
