//! Tables from ruling lines: the cells a table's drawn lines enclose (a merged
//! cell is a cell whose inner lines are missing), grouped into tables, laid on
//! a grid of the distinct column and row edges.

use super::content::Segment;

/// Lines closer than this are one line; a gap this small is no gap.
const SNAP: f32 = 2.5;

/// A cell of a table (points, y from the top).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    pub fn contains(&self, x: f32, y: f32) -> bool {
        self.x0 - 1.0 <= x && x <= self.x1 + 1.0 && self.y0 - 1.0 <= y && y <= self.y1 + 1.0
    }
}

/// A table: its cells, and the grid edges they sit on.
#[derive(Clone, Debug)]
pub struct Table {
    pub bbox: Rect,
    pub cells: Vec<Rect>,
    pub xs: Vec<f32>,
    pub ys: Vec<f32>,
}

impl Table {
    /// The grid position of a cell: (row, col, rowspan, colspan).
    pub fn position(&self, c: &Rect) -> (usize, usize, usize, usize) {
        let idx = |edges: &[f32], v: f32| {
            edges
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 - v).abs().total_cmp(&(b.1 - v).abs()))
                .map_or(0, |(i, _)| i)
        };
        let (c0, c1) = (idx(&self.xs, c.x0), idx(&self.xs, c.x1));
        let (r0, r1) = (idx(&self.ys, c.y0), idx(&self.ys, c.y1));
        (
            r0,
            c0,
            r1.saturating_sub(r0).max(1),
            c1.saturating_sub(c0).max(1),
        )
    }
}

/// Horizontal lines as (y, x0, x1), vertical as (x, y0, y1), merged.
fn merge(mut lines: Vec<(f32, f32, f32)>) -> Vec<(f32, f32, f32)> {
    lines.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    // Cluster by position.
    let mut clusters: Vec<Vec<(f32, f32, f32)>> = Vec::new();
    for l in lines {
        match clusters.last_mut() {
            Some(c) if (l.0 - c[0].0).abs() <= SNAP => c.push(l),
            _ => clusters.push(vec![l]),
        }
    }
    let mut out = Vec::new();
    for c in clusters {
        let pos = c.iter().map(|l| l.0).sum::<f32>() / c.len() as f32;
        let mut spans: Vec<(f32, f32)> = c.iter().map(|l| (l.1, l.2)).collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut cur: Option<(f32, f32)> = None;
        for (a, b) in spans {
            cur = match cur {
                Some((ca, cb)) if a <= cb + SNAP => Some((ca, cb.max(b))),
                Some(done) => {
                    out.push((pos, done.0, done.1));
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        if let Some(done) = cur {
            out.push((pos, done.0, done.1));
        }
    }
    out
}

/// A table broken by a page has no border where the page ends (or begins):
/// vertical lines that end (or begin) together without a horizontal line
/// there are closed by one.
fn close_ends(mut hs: Vec<(f32, f32, f32)>, vs: &[(f32, f32, f32)]) -> Vec<(f32, f32, f32)> {
    let mut added = Vec::new();
    for end in [true, false] {
        let mut ys: Vec<f32> = vs.iter().map(|v| if end { v.2 } else { v.1 }).collect();
        ys.sort_by(f32::total_cmp);
        ys.dedup_by(|a, b| (*a - *b).abs() <= SNAP);
        for y in ys {
            let group: Vec<f32> = vs
                .iter()
                .filter(|v| ((if end { v.2 } else { v.1 }) - y).abs() <= SNAP)
                .map(|v| v.0)
                .collect();
            if group.len() < 3 {
                continue;
            }
            let (x0, x1) = (
                group.iter().copied().fold(f32::MAX, f32::min),
                group.iter().copied().fold(f32::MIN, f32::max),
            );
            if !covers(&hs, y, x0, x1) {
                added.push((y, x0, x1));
            }
        }
    }
    hs.extend(added);
    merge(hs)
}

/// Whether a merged line at `pos` covers `a..b`.
fn covers(lines: &[(f32, f32, f32)], pos: f32, a: f32, b: f32) -> bool {
    lines
        .iter()
        .any(|l| (l.0 - pos).abs() <= SNAP && l.1 - SNAP <= a.min(b) && a.max(b) <= l.2 + SNAP)
}

/// Finds the tables the segments of a page draw.
pub fn tables(segments: &[Segment]) -> Vec<Table> {
    let hs = merge(
        segments
            .iter()
            .filter(|s| s.horizontal() && s.x1 - s.x0 >= 2.0)
            .map(|s| ((s.y0 + s.y1) / 2.0, s.x0, s.x1))
            .collect(),
    );
    let vs = merge(
        segments
            .iter()
            .filter(|s| s.vertical() && s.y1 - s.y0 >= 2.0)
            .map(|s| ((s.x0 + s.x1) / 2.0, s.y0, s.y1))
            .collect(),
    );
    let hs = close_ends(hs, &vs);
    if hs.len() < 2 || vs.len() < 2 || hs.len() * vs.len() > 250_000 {
        return Vec::new();
    }
    // Intersections.
    let mut points: Vec<(f32, f32)> = Vec::new();
    for h in &hs {
        for v in &vs {
            if h.1 - SNAP <= v.0 && v.0 <= h.2 + SNAP && v.1 - SNAP <= h.0 && h.0 <= v.2 + SNAP {
                points.push((v.0, h.0));
            }
        }
    }
    points.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.total_cmp(&b.0)));
    points.dedup_by(|a, b| (a.0 - b.0).abs() <= SNAP && (a.1 - b.1).abs() <= SNAP);
    // Points by grid bucket, for looking up a corner.
    let bucket = |v: f32| (v / SNAP).floor() as i64;
    let mut index: std::collections::HashMap<(i64, i64), Vec<(f32, f32)>> = Default::default();
    for p in &points {
        index
            .entry((bucket(p.0), bucket(p.1)))
            .or_default()
            .push(*p);
    }
    let has = |x: f32, y: f32| {
        let (bx, by) = (bucket(x), bucket(y));
        (bx - 1..=bx + 1).any(|i| {
            (by - 1..=by + 1).any(|j| {
                index.get(&(i, j)).is_some_and(|ps| {
                    ps.iter()
                        .any(|p| (p.0 - x).abs() <= SNAP && (p.1 - y).abs() <= SNAP)
                })
            })
        })
    };
    // Each point as a top-left corner: the smallest cell it starts.
    let mut cells = Vec::new();
    for (i, &(x, y)) in points.iter().enumerate() {
        let below: Vec<f32> = points[i + 1..]
            .iter()
            .filter(|p| (p.0 - x).abs() <= SNAP && p.1 > y + SNAP)
            .map(|p| p.1)
            .collect();
        let right: Vec<f32> = points[i + 1..]
            .iter()
            .filter(|p| (p.1 - y).abs() <= SNAP && p.0 > x + SNAP)
            .map(|p| p.0)
            .collect();
        'found: for &by in &below {
            if !covers(&vs, x, y, by) {
                break;
            }
            for &rx in &right {
                if !covers(&hs, y, x, rx) {
                    break;
                }
                if has(rx, by) && covers(&vs, rx, y, by) && covers(&hs, by, x, rx) {
                    cells.push(Rect {
                        x0: x,
                        y0: y,
                        x1: rx,
                        y1: by,
                    });
                    break 'found;
                }
            }
        }
    }
    group(cells)
}

/// Groups cells that touch into tables.
fn group(cells: Vec<Rect>) -> Vec<Table> {
    let n = cells.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let touch = |a: &Rect, b: &Rect| {
        a.x0 <= b.x1 + SNAP && b.x0 <= a.x1 + SNAP && a.y0 <= b.y1 + SNAP && b.y0 <= a.y1 + SNAP
    };
    for i in 0..n {
        for j in i + 1..n {
            if touch(&cells[i], &cells[j]) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<Rect>> = Default::default();
    for (i, c) in cells.into_iter().enumerate() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(c);
    }
    let mut out: Vec<Table> = groups
        .into_values()
        .map(|cells| {
            let edges = |vals: Vec<f32>| {
                let mut v = vals;
                v.sort_by(f32::total_cmp);
                let mut out: Vec<f32> = Vec::new();
                for x in v {
                    if out.last().is_none_or(|l| x - l > SNAP) {
                        out.push(x);
                    }
                }
                out
            };
            let xs = edges(cells.iter().flat_map(|c| [c.x0, c.x1]).collect());
            let ys = edges(cells.iter().flat_map(|c| [c.y0, c.y1]).collect());
            let bbox = Rect {
                x0: xs[0],
                y0: ys[0],
                x1: *xs.last().unwrap_or(&xs[0]),
                y1: *ys.last().unwrap_or(&ys[0]),
            };
            Table {
                bbox,
                cells,
                xs,
                ys,
            }
        })
        .collect();
    out.sort_by(|a, b| a.bbox.y0.total_cmp(&b.bbox.y0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(y: f32, x0: f32, x1: f32) -> Segment {
        Segment {
            x0,
            y0: y,
            x1,
            y1: y,
        }
    }
    fn v(x: f32, y0: f32, y1: f32) -> Segment {
        Segment {
            x0: x,
            y0,
            x1: x,
            y1,
        }
    }

    #[test]
    fn a_merged_cell_is_one_cell() {
        // 2 × 2 grid whose top row is merged (no vertical line through it).
        let segs = vec![
            h(0.0, 0.0, 20.0),
            h(10.0, 0.0, 20.0),
            h(20.0, 0.0, 20.0),
            v(0.0, 0.0, 20.0),
            v(20.0, 0.0, 20.0),
            v(10.0, 10.0, 20.0),
        ];
        let t = tables(&segs);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].cells.len(), 3);
        let top = t[0].cells.iter().find(|c| c.y0 == 0.0).unwrap();
        assert_eq!(t[0].position(top), (0, 0, 1, 2));
    }
}
