//! Tables on pages: column widths by content, cells wrapped, rows split across pages
//! with the heading row repeated.

use super::*;

/// Column widths for a table at a font size, and whether every column got at least
/// its minimum (numbers whole, no word broken).
fn column_widths(head: &[String], rows: &[Vec<String>], numeric: &[bool], size: f32) -> (Vec<f32>, bool) {
    let cols = head.len();
    let content = |c: usize| rows.iter().map(|r| text_width(&r[c], size, false)).fold(0.0, f32::max);
    let widest_word = |c: usize| head[c].split_whitespace().map(|w| text_width(w, size, true)).fold(0.0, f32::max);
    let longest_word = |c: usize| {
        rows.iter()
            .flat_map(|r| r[c].split_whitespace())
            .map(|w| text_width(w, size, false))
            .fold(widest_word(c), f32::max)
            .min(120.0)
            + 8.0
    };
    let natural: Vec<f32> = (0..cols).map(|c| content(c).max(text_width(&head[c], size, true)) + 8.0).collect();
    // Numbers keep their width (headings wrap onto two lines to let them).
    let minimum: Vec<f32> =
        (0..cols).map(|c| if numeric[c] { content(c).max(widest_word(c)) + 8.0 } else { longest_word(c) }).collect();
    let mut widths: Vec<f32> = (0..cols).map(|c| if numeric[c] { minimum[c] } else { natural[c] }).collect();
    let fixed: f32 = (0..cols).filter(|c| numeric[*c]).map(|c| widths[c]).sum();
    let flexible: f32 = (0..cols).filter(|c| !numeric[*c]).map(|c| widths[c]).sum();
    if fixed + flexible <= CONTENT_W {
        if let Some(last_text) = numeric.iter().rposition(|n| !n) {
            widths[last_text] += CONTENT_W - fixed - flexible;
        }
        return (widths, true);
    }
    // Text columns share what is left in proportion to their natural width, but never
    // below their longest word; any overshoot comes back from those with room to spare.
    let room = (CONTENT_W - fixed).max(0.0);
    for c in 0..cols {
        if !numeric[c] {
            widths[c] = (natural[c] / flexible.max(1.0) * room).max(minimum[c]);
        }
    }
    let excess = widths.iter().sum::<f32>() - CONTENT_W;
    let slack: f32 = (0..cols).map(|c| widths[c] - minimum[c]).sum();
    if excess > 0.0 && slack > 0.0 {
        let take = (excess / slack).min(1.0);
        for c in 0..cols {
            widths[c] -= (widths[c] - minimum[c]) * take;
        }
    }
    let total: f32 = widths.iter().sum();
    if total > CONTENT_W + 0.01 {
        widths.iter_mut().for_each(|w| *w *= CONTENT_W / total);
        return (widths, false);
    }
    (widths, true)
}

/// A table that splits across pages, repeating its heading row. Text cells wrap
/// (up to four lines); a wide table steps down a font size before anything is cut.
pub(super) fn table(flow: &mut Flow, head: &[String], rows: &[Vec<String>], numeric: &[bool]) {
    const MAX_LINES: usize = 4;
    if rows.is_empty() {
        flow.paragraph("No figures for this period.", BODY, Rgb::MUTED);
        return;
    }
    let (size, widths) = [8.5f32, 7.5, 6.5]
        .iter()
        .map(|s| (*s, column_widths(head, rows, numeric, *s)))
        .find(|(_, (_, fits))| *fits)
        .map_or_else(|| (6.5, column_widths(head, rows, numeric, 6.5).0), |(s, (w, _))| (s, w));
    let line = size * 1.24;
    let pad = size * 0.53;
    let lines_of = |cell: &str, c: usize, bold: bool| -> Vec<String> {
        let w = widths[c] - 7.0;
        if numeric[c] && !bold {
            return vec![fit(cell, size, bold, w)];
        }
        let mut lines = wrap(cell, size, bold, w);
        if lines.len() > MAX_LINES {
            lines.truncate(MAX_LINES);
            let last = format!("{}…", lines[MAX_LINES - 1]);
            lines[MAX_LINES - 1] = fit(&last, size, bold, w);
        }
        lines
    };
    let row_height = |cells: &[String], bold: bool| -> f32 {
        let n = cells.iter().enumerate().map(|(c, cell)| lines_of(cell, c, bold).len()).max().unwrap_or(1);
        n as f32 * line + pad
    };
    // The first column names its row where it is words (a programme, a period).
    let row_headers = !numeric.first().copied().unwrap_or(true);
    // `tagged: false` draws a row as furniture (the heading row repeated on a new page).
    let draw_row = |flow: &mut Flow, cells: &[String], bold: bool, fill: Option<Rgb>, tagged: bool| {
        let h = row_height(cells, bold);
        let y = flow.y;
        let mut cmds = Vec::new();
        let open = |cmds: &mut Vec<Cmd>, role: Role| {
            if tagged {
                cmds.push(Cmd::Open(role));
            }
        };
        let close = |cmds: &mut Vec<Cmd>| {
            if tagged {
                cmds.push(Cmd::Close);
            }
        };
        open(&mut cmds, Role::TableRow);
        if let Some(f) = fill {
            cmds.push(Cmd::Rect { x: MARGIN, y, w: CONTENT_W, h, fill: Some(f), stroke: None });
        }
        let mut x = MARGIN;
        for (c, cell) in cells.iter().enumerate() {
            let w = widths[c];
            let role = if bold {
                Role::TableHeader { row: false }
            } else if c == 0 && row_headers {
                Role::TableHeader { row: true }
            } else {
                Role::TableCell
            };
            open(&mut cmds, role);
            for (l, text) in lines_of(cell, c, bold).into_iter().enumerate() {
                let tx = if numeric[c] { x + w - 3.5 - text_width(&text, size, bold) } else { x + 3.5 };
                cmds.push(Cmd::Text {
                    x: tx,
                    y: y + size * 1.18 + l as f32 * line,
                    size,
                    bold,
                    colour: Rgb::TEXT,
                    text,
                });
            }
            close(&mut cmds);
            x += w;
        }
        close(&mut cmds);
        flow.page().extend(cmds);
        flow.y += h;
    };
    let head_h = row_height(head, true);
    flow.ensure(head_h + row_height(&rows[0], false) * 2.0);
    flow.open(Role::Table);
    draw_row(flow, head, true, Some(Rgb::RULE), true);
    for (i, r) in rows.iter().enumerate() {
        if flow.y + row_height(r, false) > BOTTOM {
            flow.new_page();
            // The heading row again, for the eye: the table has it once.
            flow.page().push(Cmd::BeginArtifact);
            draw_row(flow, head, true, Some(Rgb::RULE), false);
            flow.page().push(Cmd::EndArtifact);
        }
        draw_row(flow, r, false, (i % 2 == 1).then_some(Rgb::TINT), true);
    }
    flow.close();
    flow.y += 12.0;
}
