//! The figures behind the charts, as tables in an appendix: a reader who cannot see
//! a chart, or who wants its exact figures, finds every value it draws (and every
//! mark where one is withheld) in a table with the chart's heading.

use super::super::blocks::Block;
use super::super::chart::{ChartData, ChartKind};
use super::super::format;

/// The appendix for the charts among `blocks` (none when there are no charts).
pub fn appendix(blocks: &[Block]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut heading = "";
    for block in blocks {
        match block {
            Block::Heading(h) => heading = h,
            Block::Chart { data, .. } => push(&mut out, heading, data),
            Block::Panels(panels) => {
                for panel in panels {
                    push(&mut out, &format!("{} — {}", heading.trim_end_matches('.'), panel.title), &panel.data);
                }
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return out;
    }
    let mut appendix = vec![
        Block::Heading("Figures behind the charts".into()),
        Block::Paragraph {
            text: "Each chart's figures as a table, under the chart's heading, with the same marks where a \
                   figure is withheld."
                .into(),
            size: 10.0,
            colour: super::super::draw::Rgb::TEXT,
        },
        Block::Space(6.0),
    ];
    appendix.extend(out);
    appendix
}

fn push(out: &mut Vec<Block>, heading: &str, data: &ChartData) {
    if data.categories.is_empty() || data.series.is_empty() {
        return;
    }
    let (head, rows) = table(data);
    let numeric = std::iter::once(false).chain(head.iter().skip(1).map(|h| h != "Status")).collect();
    out.push(Block::Subheading(heading.to_string()));
    out.push(Block::Table { head, rows, numeric });
}

/// A chart's data as a table: a row per category, a column per series (and the
/// chart's words, when it has them).
pub fn table(data: &ChartData) -> (Vec<String>, Vec<Vec<String>>) {
    let first = match data.kind {
        ChartKind::Tornado => "Assumption",
        _ if !data.axis.is_empty() && data.categories.iter().all(|c| c.starts_with(char::is_numeric)) => "Period",
        _ => "Category",
    };
    let mut head = vec![first.to_string()];
    head.extend(data.series.iter().map(|s| s.name.clone()));
    let words = data.words.iter().any(|w| !w.is_empty());
    if words {
        head.push("Status".into());
    }
    let rows = data
        .categories
        .iter()
        .enumerate()
        .map(|(i, category)| {
            let mut row = vec![category.clone()];
            for (k, series) in data.series.iter().enumerate() {
                let mark = data.withheld.iter().find(|w| w.0 == k && w.1 == i).map(|w| w.2.clone());
                row.push(mark.unwrap_or_else(|| format::value(series.values.get(i).copied().flatten(), &data.unit)));
            }
            if words {
                row.push(data.words.get(i).cloned().unwrap_or_default());
            }
            row
        })
        .collect();
    (head, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart::Series;

    #[test]
    fn every_value_and_mark_is_in_the_table() {
        let data = ChartData {
            kind: ChartKind::Grouped,
            categories: vec!["2023-24".into(), "2024-25".into()],
            series: vec![
                Series { name: "Job starts".into(), values: vec![Some(33.0), None], outline: false },
                Series { name: "Target".into(), values: vec![Some(48.0), Some(40.0)], outline: true },
            ],
            axis: "jobs".into(),
            withheld: vec![(0, 1, "<5".into())],
            ..Default::default()
        };
        let (head, rows) = table(&data);
        assert_eq!(head, ["Period", "Job starts", "Target"]);
        assert_eq!(rows, [["2023-24", "33", "48"], ["2024-25", "<5", "40"]]);
        let blocks = vec![Block::Heading("Job starts".into()), Block::Chart { data, height: 100.0, slug: "x".into() }];
        let made = appendix(&blocks);
        assert!(matches!(&made[3], Block::Subheading(h) if h == "Job starts"));
        assert!(appendix(&[Block::Heading("No chart".into())]).is_empty());
    }
}
