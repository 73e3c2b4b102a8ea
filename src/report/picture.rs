//! A page's drawing as an SVG picture: the PDF's page as laid out, for a preview (the
//! web app's page thumbnails, `impact report --pages-dir`). The same drawing commands
//! the PDF is written from, so the picture is the page.

use std::fmt::Write as _;

use super::draw::{Cmd, Rgb, PAGE_H, PAGE_W};
use super::html::esc;

fn colour(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Page `n` of `total` as SVG (A4 in points), named for a screen reader.
pub fn page_svg(cmds: &[Cmd], n: usize, total: usize) -> String {
    let mut out = String::with_capacity(cmds.len() * 80);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {PAGE_W} {PAGE_H}\" role=\"img\" aria-label=\"Page {n} of {total}\">\
         <rect width=\"{PAGE_W}\" height=\"{PAGE_H}\" fill=\"#ffffff\"/>"
    );
    let points = |pts: &[(f32, f32)]| pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
    for c in cmds {
        match c {
            Cmd::Text { x, y, size, bold, colour: c, text } => {
                let _ = write!(
                    out,
                    "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" font-family=\"DejaVu Sans, sans-serif\"{} fill=\"{}\">{}</text>",
                    if *bold { " font-weight=\"bold\"" } else { "" },
                    colour(*c),
                    esc(text)
                );
            }
            Cmd::Rect { x, y, w, h, fill, stroke } => {
                let fill = fill.map_or("none".to_string(), colour);
                let stroke =
                    stroke.map_or(String::new(), |(c, w)| format!(" stroke=\"{}\" stroke-width=\"{w}\"", colour(c)));
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\"{stroke}/>"
                );
            }
            Cmd::Path { points: p, colour: c, width } => {
                let _ = write!(
                    out,
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                    points(p),
                    colour(*c)
                );
            }
            Cmd::Polygon { points: p, fill } => {
                let _ = write!(out, "<polygon points=\"{}\" fill=\"{}\"/>", points(p), colour(*fill));
            }
            Cmd::Open(_) | Cmd::Close | Cmd::BeginArtifact | Cmd::EndArtifact => {}
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_drawn_as_its_commands_say() {
        let cmds = vec![
            Cmd::Text { x: 50.0, y: 70.0, size: 14.0, bold: true, colour: Rgb::TEXT, text: "Jobs & <people>".into() },
            Cmd::Rect { x: 0.0, y: 0.0, w: 10.0, h: 5.0, fill: Some(Rgb::ACCENT), stroke: None },
            Cmd::Path { points: vec![(1.0, 2.0), (3.0, 4.0)], colour: Rgb::RULE, width: 0.5 },
        ];
        let svg = page_svg(&cmds, 2, 7);
        assert!(svg.contains("aria-label=\"Page 2 of 7\""));
        assert!(svg.contains(">Jobs &amp; &lt;people&gt;</text>") && svg.contains("font-weight=\"bold\""));
        assert!(svg.contains("fill=\"#0072b2\"") && svg.contains("points=\"1.0,2.0 3.0,4.0\""));
    }
}
