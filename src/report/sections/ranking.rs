//! Ranking sections: peers ranked per £10k invested or per participant, as a bar
//! chart and a table with quartiles and cautions.

use super::super::chart::{ChartKind, Series};
use super::*;
use crate::aggregate::Unit;
use crate::compare::Per;

/// Peers ranked on an indicator per £10k invested or per person recorded: a ranked
/// bar chart and a table with cost per outcome, priority reach, rank and quartile.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ranking {
    /// Heading (None: the section's default).
    #[serde(default)]
    pub title: Option<String>,
    /// The indicator peers are ranked on.
    pub indicator: String,
    /// Per £10k invested or per person recorded.
    #[serde(default)]
    pub per: Per,
    /// The peers: `organisation` or `programme`.
    #[serde(default = "programmes")]
    pub by: Unit,
}

/// Peers are programmes unless a spec says organisations.
pub(super) fn programmes() -> Unit {
    Unit::Programme
}

impl SectionKind for Ranking {
    fn name(&self) -> &'static str {
        "ranking"
    }

    fn indicator_ids(&self) -> Vec<&str> {
        vec![self.indicator.as_str()]
    }

    fn needs(&self, needs: &mut Needs) {
        needs.peers(self.by, self.per, self.indicator.clone());
        needs.compares_peers = true;
    }

    fn blocks(&self, ctx: &Context, n: usize, out: &mut Blocks) -> Result<()> {
        blocks(ctx, n, self.title.as_deref(), &self.indicator, self.per, self.by, out);
        Ok(())
    }

    fn table(&self, ctx: &Context) -> Result<Option<DataFrame>> {
        table(ctx, &self.indicator, self.by, self.per).map(Some)
    }
}

fn blocks(ctx: &Context, n: usize, title: Option<&str>, indicator: &str, per: Per, by: Unit, out: &mut Blocks) {
    let name = ctx.library.get(indicator).map_or(indicator.to_string(), |i| i.name.clone());
    let measure = if per == Per::Investment { "per £10k invested" } else { "per person recorded" };
    let title = title.map_or_else(|| format!("{name} {measure}"), str::to_string);
    let ranked = ranked(ctx, indicator, by, per);
    let rows: Vec<&crate::compare::Row> = ranked.iter().map(|(r, _)| r).collect();
    if rows.is_empty() {
        out.heading(&title);
        out.paragraph("No peers to compare in this period.", BODY, Rgb::MUTED);
        return;
    }
    let data = ChartData {
        kind: ChartKind::Bars,
        categories: rows.iter().map(|r| name_of(ctx, &r.group).to_string()).collect(),
        series: vec![Series {
            name: measure.into(),
            values: rows.iter().map(|r| if per == Per::Investment { r.per_10k } else { r.per_participant }).collect(),
            outline: false,
        }],
        axis: format!("{} {measure}", ctx.library.get(indicator).map_or("", |i| unit_symbol(&i.unit))),
        withheld: withheld_marks(&ranked),
        ..Default::default()
    };
    let height = bar_chart_height(data.categories.len());
    out.keep_chart(height);
    out.heading(&title);
    out.chart(data, height, slug(n, &title));
    if per == Per::Participant {
        // Whose people: every one the peer recorded, not those of one indicator.
        out.paragraph(
            &format!(
                "Per person recorded: {name} divided by the distinct people (by participant id, {}) with any record of the {} in the period, whatever the outcome recorded.",
                ctx.figures.participants.words(),
                by.column()
            ),
            8.0,
            Rgb::MUTED,
        );
    }
    out.space(8.0);
    ranking_table(ctx, out, &ranked, per);
}

/// The ranking's rows as a table, withheld as `impact compare` withholds them.
fn table(ctx: &Context, indicator: &str, by: Unit, per: Per) -> Result<DataFrame> {
    let all = ctx.comparisons.get(&(by, per)).map_or(&[][..], Vec::as_slice);
    let frame = match ctx.figures.suppress_below {
        Some(_) => crate::compare::published_frame_with(all, by.column(), &ctx.figures.peers_withheld(by, per))?,
        None => crate::compare::to_frame(all, by.column())?,
    };
    // This section's indicator, best rank first (as the chart and table show them).
    let order: Vec<usize> = sorted(all.iter().enumerate().filter(|(_, r)| r.indicator == indicator).collect())
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    use polars::prelude::{IdxCa, IdxSize, NewChunkedArray};
    let idx = IdxCa::from_slice("idx".into(), &order.iter().map(|i| *i as IdxSize).collect::<Vec<_>>());
    Ok(frame.take(&idx)?)
}

/// Peers best rank first, then by name.
fn sorted(mut rows: Vec<(usize, &crate::compare::Row)>) -> Vec<(usize, &crate::compare::Row)> {
    rows.sort_by(|(_, a), (_, b)| {
        a.rank.unwrap_or(usize::MAX).cmp(&b.rank.unwrap_or(usize::MAX)).then(a.group.cmp(&b.group))
    });
    rows
}

/// The comparison rows for one indicator, best rank first, as this report may publish
/// them (`compare::Withholding::published`, as the report's protection decides).
pub(super) fn ranked(ctx: &Context, indicator: &str, by: Unit, per: Per) -> Vec<(crate::compare::Row, Withheld)> {
    let Some(rows) = ctx.comparisons.get(&(by, per)) else { return Vec::new() };
    let withholding = ctx.figures.peers_withheld(by, per);
    let mine = sorted(rows.iter().enumerate().filter(|(_, r)| r.indicator == indicator).collect());
    mine.into_iter().map(|(_, r)| withholding.published(r)).collect()
}

/// Where a peer's figure is withheld, the mark of a figure derived from it.
pub(super) fn withheld_marks(ranked: &[(crate::compare::Row, Withheld)]) -> Vec<(usize, usize, String)> {
    ranked
        .iter()
        .enumerate()
        .filter(|(_, (_, w))| w.is_withheld())
        .map(|(i, _)| (0, i, crate::privacy::RATE_MARK.to_string()))
        .collect()
}

fn ranking_table(ctx: &Context, out: &mut Blocks, ranked: &[(crate::compare::Row, Withheld)], per: Per) {
    let rows: Vec<&crate::compare::Row> = ranked.iter().map(|(r, _)| r).collect();
    let t = ctx.figures.suppress_below.unwrap_or(0);
    let per_label = if per == Per::Investment { "Per £10k" } else { "Per person" };
    let head: Vec<String> = [
        "Peer",
        "Outcomes",
        per_label,
        "£ per outcome",
        "Priority reach",
        "Year on year",
        "Rank",
        "Quartile",
        "Caution",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let num = |v: Option<f64>, d: usize| v.map_or("–".to_string(), |v| format!("{v:.d$}"));
    let rate = crate::privacy::RATE_MARK;
    let body: Vec<Vec<String>> = ranked
        .iter()
        .map(|(r, w)| {
            let hidden = w.is_withheld();
            let or_mark = |text: String| if hidden { rate.to_string() } else { text };
            vec![
                name_of(ctx, &r.group).to_string(),
                if hidden { w.mark(t) } else { value(r.value, "") },
                or_mark(if per == Per::Investment { num(r.per_10k, 2) } else { num(r.per_participant, 3) }),
                or_mark(r.cost_per_outcome.map_or("–".into(), |c| value(Some(c), "GBP"))),
                or_mark(r.priority_share.map_or("–".into(), |p| format!("{p:.0}%"))),
                or_mark(r.yoy_change.map_or("–".into(), |c| format!("{c:+.0}%"))),
                r.rank.map_or("–".into(), |v| v.to_string()),
                r.quartile.map_or("–".into(), |q| format!("Q{q}")),
                r.flags.join("; "),
            ]
        })
        .collect();
    // Ranks of a few peers say little: with fewer than MIN_PEERS_FOR_RANKS they are left
    // out (and said so); a column with nothing in any row goes too.
    let few = rows.len() < MIN_PEERS_FOR_RANKS;
    let numeric = [false, true, true, true, true, true, true, true, false];
    let keep: Vec<usize> = (0..head.len())
        .filter(|&j| !(few && (head[j] == "Rank" || head[j] == "Quartile")))
        .filter(|&j| j < 2 || body.iter().any(|row| !row[j].is_empty() && row[j] != "–"))
        .collect();
    let pick = |row: &[String]| keep.iter().map(|&j| row[j].clone()).collect::<Vec<_>>();
    out.table(pick(&head), body.iter().map(|r| pick(r)).collect(), keep.iter().map(|&j| numeric[j]).collect());
    let mut notes = Vec::new();
    if !few {
        notes.push("Rank 1 is best (by the indicator's direction); peers with equal figures share a rank. Quartile 1 is the best quarter of peers.");
    }
    if keep.iter().any(|&j| head[j] == "Priority reach") {
        notes.push("Priority reach: the share of outcomes for people in the most deprived fifth of areas (SIMD, the Scottish Index of Multiple Deprivation, deciles 1–2) or in named priority groups.");
    }
    if keep.iter().any(|&j| head[j] == "Year on year") {
        notes.push("Year on year compares the last two financial years in the data.");
    }
    if keep.iter().any(|&j| head[j] == "Caution") {
        notes.push("Few records: fewer than 30 records behind a peer's figure, too few to compare with confidence.");
    }
    out.paragraph(&notes.join(" "), 8.0, Rgb::MUTED);
    if few {
        out.paragraph(
            &format!(
                "Only {} here: with fewer than {MIN_PEERS_FOR_RANKS}, ranks and quartiles would say little about who does better, so none are given.",
                crate::base::text::counted(rows.len(), "peer", "peers")
            ),
            8.0,
            Rgb::WARNING,
        );
    }
    out.space(8.0);
}

/// Fewer peers than this and a ranking carries a caution.
const MIN_PEERS_FOR_RANKS: usize = 4;
