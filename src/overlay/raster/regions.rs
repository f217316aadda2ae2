//! Connected components of a mask: plain 8-connected ([`components`]), joined only where a
//! predicate agrees ([`components_by`]), or grown by colour from seeds ([`colour_regions`]).

use super::PxBox;

/// Statistics of one connected component.
#[derive(Debug, Clone)]
pub struct Component {
    pub area: u32,
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    /// Pixels of the component with a 4-neighbour outside it (or on the image edge).
    pub perimeter: u32,
    pub sum_x: u64,
    pub sum_y: u64,
}

impl Component {
    /// A component with nothing in it yet (bounds ready for `min`/`max`).
    fn empty() -> Self {
        Component {
            area: 0,
            x0: u32::MAX,
            y0: u32::MAX,
            x1: 0,
            y1: 0,
            perimeter: 0,
            sum_x: 0,
            sum_y: 0,
        }
    }
    /// Count pixel (x, y) in (area, bounds, centroid sums).
    fn add(&mut self, x: usize, y: usize) {
        self.area += 1;
        self.x0 = self.x0.min(x as u32);
        self.y0 = self.y0.min(y as u32);
        self.x1 = self.x1.max(x as u32);
        self.y1 = self.y1.max(y as u32);
        self.sum_x += x as u64;
        self.sum_y += y as u64;
    }
    pub fn width(&self) -> u32 {
        self.x1 - self.x0 + 1
    }
    pub fn height(&self) -> u32 {
        self.y1 - self.y0 + 1
    }
    pub fn cx(&self) -> f32 {
        self.sum_x as f32 / self.area as f32
    }
    pub fn cy(&self) -> f32 {
        self.sum_y as f32 / self.area as f32
    }
    pub fn bbox(&self) -> PxBox {
        PxBox::from_bounds(
            self.x0 as usize,
            self.y0 as usize,
            self.x1 as usize + 1,
            self.y1 as usize + 1,
        )
    }
    /// Mean stroke width of a thin shape: area over half the perimeter.
    pub fn stroke_width(&self) -> f32 {
        2.0 * self.area as f32 / self.perimeter.max(1) as f32
    }
}

/// 8-connected components of `mask` (`w × h`). Returns per-pixel labels (0 = background,
/// k + 1 = component k) and the components. Two passes with union-find.
pub fn components(mask: &[bool], w: usize, h: usize) -> (Vec<u32>, Vec<Component>) {
    components_by(mask, w, h, |_, _| true)
}

/// Like [`components`], but two neighbouring set pixels join only when `same(i, j)` (pixel
/// indices) agrees, e.g. when their colours are close: text touching a product of another
/// colour stays its own component.
pub fn components_by(
    mask: &[bool],
    w: usize,
    h: usize,
    same: impl Fn(usize, usize) -> bool,
) -> (Vec<u32>, Vec<Component>) {
    let mut labels = vec![0u32; w * h];
    let mut parent: Vec<u32> = vec![0];
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if !mask[i] {
                continue;
            }
            let mut l = 0u32;
            let mut neighbours = [(0u32, 0usize); 4];
            if x > 0 {
                neighbours[0] = (labels[i - 1], i - 1);
            }
            if y > 0 {
                neighbours[1] = (labels[i - w], i - w);
                if x > 0 {
                    neighbours[2] = (labels[i - w - 1], i - w - 1);
                }
                if x + 1 < w {
                    neighbours[3] = (labels[i - w + 1], i - w + 1);
                }
            }
            for &(n, j) in &neighbours {
                if n == 0 || !same(i, j) {
                    continue;
                }
                if l == 0 {
                    l = n;
                } else if n != l {
                    let (a, b) = (find(&mut parent, l), find(&mut parent, n));
                    if a != b {
                        let (lo, hi) = (a.min(b), a.max(b));
                        parent[hi as usize] = lo;
                    }
                }
            }
            if l == 0 {
                l = parent.len() as u32;
                parent.push(l);
            }
            labels[i] = l;
        }
    }
    // Resolve to dense ids.
    let mut dense = vec![0u32; parent.len()];
    let mut next = 0u32;
    for k in 1..parent.len() {
        let r = find(&mut parent, k as u32) as usize;
        if dense[r] == 0 {
            next += 1;
            dense[r] = next;
        }
        dense[k] = dense[r];
    }
    let mut comps: Vec<Component> = (0..next).map(|_| Component::empty()).collect();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if labels[i] == 0 {
                continue;
            }
            let l = dense[labels[i] as usize];
            labels[i] = l;
            let c = &mut comps[(l - 1) as usize];
            c.add(x, y);
            let edge = x == 0
                || y == 0
                || x + 1 == w
                || y + 1 == h
                || !mask[i - 1]
                || !mask[i + 1]
                || !mask[i - w]
                || !mask[i + w];
            if edge {
                c.perimeter += 1;
            }
        }
    }
    (labels, comps)
}

/// The 8-neighbourhood as `(dx, dy)`, row by row.
const NEIGHBOURS_8: [(i64, i64); 8] = [
    (-1, -1),
    (0, -1),
    (1, -1),
    (-1, 0),
    (1, 0),
    (-1, 1),
    (0, 1),
    (1, 1),
];

/// Connected regions of `mask` grown from seeds: a neighbour (8-connected) joins a region when
/// each of its RGB channels is within `tol` of the region's running mean. Unlike pairwise
/// joining, a chain of small steps (an anti-aliased edge into a product of another colour)
/// cannot connect two colours. Labels and components as in [`components`].
pub fn colour_regions(
    mask: &[bool],
    w: usize,
    h: usize,
    rgb: &[u8],
    tol: i32,
) -> (Vec<u32>, Vec<Component>) {
    let mut labels = vec![0u32; w * h];
    let mut comps = Vec::new();
    // Pixels as (x, y): deriving them from the index would cost a 64-bit division per pixel
    // (most of this function's time before).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut members: Vec<(usize, usize)> = Vec::new();
    for start in 0..w * h {
        if !mask[start] || labels[start] != 0 {
            continue;
        }
        let id = comps.len() as u32 + 1;
        let mut sum = [0i64; 3];
        let mut n = 0i64;
        let mut c = Component::empty();
        labels[start] = id;
        stack.push((start % w, start / w));
        members.clear();
        while let Some((x, y)) = stack.pop() {
            let i = y * w + x;
            for ch in 0..3 {
                sum[ch] += rgb[3 * i + ch] as i64;
            }
            n += 1;
            c.add(x, y);
            members.push((x, y));

            // The eight neighbours in a fixed order (row above, same row, row below; left to
            // right): the order decides which pixels a region's running mean has seen.
            let interior = x > 0 && y > 0 && x + 1 < w && y + 1 < h;
            for &(dx, dy) in &NEIGHBOURS_8 {
                let (nx, ny) = if interior {
                    ((x as i64 + dx) as usize, (y as i64 + dy) as usize)
                } else {
                    let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i64 || ny >= h as i64 {
                        continue;
                    }
                    (nx as usize, ny as usize)
                };
                let j = ny * w + nx;
                if !mask[j] || labels[j] != 0 {
                    continue;
                }
                // |value − sum / n| ≤ tol, without dividing
                if (0..3).all(|ch| (rgb[3 * j + ch] as i64 * n - sum[ch]).abs() <= tol as i64 * n) {
                    labels[j] = id;
                    stack.push((nx, ny));
                }
            }
        }
        // Perimeter: members with a 4-neighbour outside the region. Counted as soon as the
        // region is complete (its labels are final; later regions only add other labels), so
        // only the region's own pixels are visited, not the whole image again.
        for &(x, y) in &members {
            let i = y * w + x;
            let edge = x == 0
                || y == 0
                || x + 1 == w
                || y + 1 == h
                || labels[i - 1] != id
                || labels[i + 1] != id
                || labels[i - w] != id
                || labels[i + w] != id;
            c.perimeter += edge as u32;
        }
        comps.push(c);
    }
    (labels, comps)
}
