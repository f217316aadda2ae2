//! Groups: images joined by duplicate pairs, *through the same part of each image*.
//!
//! Plain connected components are wrong for composite images: a collage holding product A in
//! one tile and product B in another is a copy of A and a copy of B, but A and B are not copies
//! of each other; a phone screenshot shares the app's status bar with every other screenshot
//! and the product photo with its source. So each image is split into *regions*: the pairs
//! touching it are clustered by where their inliers lie in it (`region::Region::cells_a`, an 8×8
//! grid), and a pair joins the two regions it touches, not the two whole images. An image
//! whose pairs lie in different parts of it (a collage) is then a member of several groups,
//! one per part; an ordinary photo, whose copies all cover the same product, stays one region.
//!
//! A group is reported only when it is about the *main* content of at least half its members
//! (the part of each image with the most matched cells). Copies of a product with the same
//! sticker, or screenshots from one app, also match each other on the sticker or the app's
//! chrome; that part is secondary in each of them (their product matched elsewhere is larger),
//! so such a group is layout shared by unrelated images, not a copy, and is left out
//! (`ScanStats::shared_part_groups`). So is a group of five or more images most of which are,
//! through their other parts, copies of something else: screenshots of many different
//! products in one app, where the chrome can be the larger part of a plain product's shot.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::*;
use crate::decode;

pub(super) fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

pub(super) fn union(parent: &mut [usize], a: usize, b: usize) {
    let (a, b) = (find(parent, a), find(parent, b));
    if a != b {
        parent[a.max(b)] = a.min(b);
    }
}

/// Two matches lie in the same part of an image when at least this share of the smaller one's
/// cells is also the other's. Half: tiles of a collage share at most a boundary column (a
/// quarter of a tile at worst, with tiles off the grid), while two copies of the same product
/// share most of its cells.
const SAME_REGION: f32 = 0.5;

/// The cells a pair covers in one image; 0 (no inliers: a hash-only match of two whole
/// images) means the whole image.
fn cells_or_whole(c: u64) -> u64 {
    if c == 0 {
        u64::MAX
    } else {
        c
    }
}

pub(super) fn same_region(a: u64, b: u64) -> bool {
    let (a, b) = (cells_or_whole(a), cells_or_whole(b));
    let smaller = a.count_ones().min(b.count_ones());
    (a & b).count_ones() as f32 >= SAME_REGION * smaller as f32
}

/// For each image, the region (0-based, per image) each of its pairs touches. Pairs are taken
/// smallest area first and each joins the first region whose founding pair it overlaps, so a
/// pair covering the whole image (a re-encode of a collage) joins one tile's region instead of
/// bridging all of them: a missed link costs a member, a false bridge joins unrelated products.
pub(super) fn regions(n: usize, edges: &[(u32, u32, [u64; 2])]) -> (Vec<usize>, Vec<[usize; 2]>) {
    let mut touching: Vec<Vec<(usize, usize, u64)>> = vec![Vec::new(); n];
    for (e, &(i, j, cells)) in edges.iter().enumerate() {
        touching[i as usize].push((e, 0, cells_or_whole(cells[0])));
        touching[j as usize].push((e, 1, cells_or_whole(cells[1])));
    }
    let mut count = vec![1usize; n];
    let mut at = vec![[0usize; 2]; edges.len()];
    for (img, list) in touching.iter_mut().enumerate() {
        list.sort_by_key(|&(e, _, c)| (c.count_ones(), e));
        let mut founders: Vec<u64> = Vec::new();
        for &(e, side, c) in list.iter() {
            let r = match founders.iter().position(|&f| same_region(f, c)) {
                Some(r) => r,
                None => {
                    founders.push(c);
                    founders.len() - 1
                }
            };
            at[e][side] = r;
        }
        count[img] = founders.len().max(1);
    }
    (count, at)
}

/// A group of at least this many images, more than two thirds of which are (through other
/// parts) copies of something else, is layout they share — an app's chrome around screenshots
/// of different products, a shop template — not a copy. Five: an original with two or three
/// collages holding it stays a group; a template shared by many unrelated images does not.
const LAYOUT_MIN_MEMBERS: usize = 5;

/// Which regions are their image's main content: the region with the most matched cells, and
/// any within a quarter of it (the equal tiles of a collage are all main).
pub(super) fn main_regions(
    count: &[usize],
    edges: &[(u32, u32, [u64; 2])],
    at: &[[usize; 2]],
) -> Vec<Vec<bool>> {
    let mut cells: Vec<Vec<u64>> = count.iter().map(|&c| vec![0u64; c]).collect();
    for (e, &(i, j, c)) in edges.iter().enumerate() {
        cells[i as usize][at[e][0]] |= cells_or_whole(c[0]);
        cells[j as usize][at[e][1]] |= cells_or_whole(c[1]);
    }
    cells
        .iter()
        .map(|parts| {
            let most = parts.iter().map(|c| c.count_ones()).max().unwrap_or(0);
            parts
                .iter()
                .map(|c| 4 * c.count_ones() >= 3 * most)
                .collect()
        })
        .collect()
}

/// A set of images joined through the same part of each: its members and the pairs (indices
/// into the edge list) that join them.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Component {
    pub members: BTreeSet<usize>,
    pub edges: Vec<usize>,
}

/// The components of `n` images joined by `edges` region to region (module doc), and how many
/// were left out as shared parts only: about the main content of fewer than half their members,
/// or layout (`LAYOUT_MIN_MEMBERS`). Every image is in at least one component (alone when it
/// has no pair).
pub(super) fn components(n: usize, edges: &[(u32, u32, [u64; 2])]) -> (Vec<Component>, usize) {
    let (count, at) = regions(n, edges);
    let main = main_regions(&count, edges, &at);
    let mut base = Vec::with_capacity(n);
    let mut nodes = 0usize;
    for c in &count {
        base.push(nodes);
        nodes += c;
    }
    let node = |img: u32, r: usize| base[img as usize] + r;
    let mut parent: Vec<usize> = (0..nodes).collect();
    let mut touched = vec![false; nodes];
    for (e, &(i, j, _)) in edges.iter().enumerate() {
        let (a, b) = (node(i, at[e][0]), node(j, at[e][1]));
        union(&mut parent, a, b);
        touched[a] = true;
        touched[b] = true;
    }
    let mut comps: BTreeMap<usize, Component> = BTreeMap::new();
    // Per component, the members for which it is about their main content.
    let mut mains: HashMap<usize, usize> = HashMap::new();
    // Per image, the components its matched parts belong to.
    let mut roots_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (img, &c) in count.iter().enumerate() {
        for r in 0..c {
            let root = find(&mut parent, base[img] + r);
            let comp = comps.entry(root).or_default();
            if comp.members.insert(img) && main[img][r] {
                *mains.entry(root).or_default() += 1;
            }
            if touched[base[img] + r] {
                roots_of[img].push(root);
            }
        }
    }
    for (e, &(i, _, _)) in edges.iter().enumerate() {
        let root = find(&mut parent, node(i, at[e][0]));
        if let Some(c) = comps.get_mut(&root) {
            c.edges.push(e);
        }
    }
    let mut shared_parts = 0;
    let mut out = Vec::new();
    for (root, comp) in comps {
        let size = comp.members.len();
        let mains_here = mains.get(&root).copied().unwrap_or(0);
        // Members whose other parts are copies of something else.
        let elsewhere = comp
            .members
            .iter()
            .filter(|&&i| roots_of[i].iter().any(|&r| r != root))
            .count();
        if size >= 2 && 2 * mains_here < size
            || size >= LAYOUT_MIN_MEMBERS && 3 * elsewhere > 2 * size
        {
            shared_parts += 1;
            continue;
        }
        out.push(comp);
    }
    (out, shared_parts)
}

/// Group the scored items: pairs at or above `min` joined region to region (see the module
/// doc), same-content paths always together; groups with at least two paths, at least one
/// non-reference path and not left out as shared parts reported. Also returns how many groups
/// were left out as shared parts only.
pub(super) fn group(items: &[Item], kept: Vec<(u32, u32, PairScore)>) -> (Vec<Group>, usize) {
    let edges: Vec<(u32, u32, [u64; 2])> = kept.iter().map(|(i, j, p)| (*i, *j, p.cells)).collect();
    let (comps, shared_parts) = components(items.len(), &edges);
    let mut scores: Vec<Option<PairScore>> = kept.into_iter().map(|(_, _, p)| Some(p)).collect();
    let mut groups = Vec::new();
    for comp in comps {
        let idx = comp.members;
        let mut members = Vec::new();
        let mut pairs: Vec<PairScore> = comp
            .edges
            .iter()
            .filter_map(|&e| scores[e].take())
            .collect();
        for &i in &idx {
            let it = &items[i];
            for (p, &reference) in it.paths.iter().zip(&it.path_reference) {
                let (path, path_bytes_b64) = key_display(p);
                members.push(Member {
                    path,
                    sha256: decode::hex(&it.sha),
                    reference,
                    path_bytes_b64,
                });
            }
            for p in it.paths.iter().skip(1) {
                pairs.push(PairScore::identical(
                    key_display(&it.paths[0]).0,
                    key_display(p).0,
                ));
            }
        }
        if members.len() < 2
            || members.iter().all(|m| m.reference)
            || !idx.iter().any(|&i| items[i].today)
        {
            continue;
        }
        members.sort_by(|a, b| a.path.cmp(&b.path));
        for p in pairs.iter_mut() {
            if p.b < p.a {
                std::mem::swap(&mut p.a, &mut p.b);
                p.cells.swap(0, 1);
            }
        }
        pairs.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
        groups.push(Group {
            id: 0,
            members,
            pairs,
        });
    }
    // The same paths can form two groups only if one image's regions were split and rejoined
    // elsewhere; report each set of members once.
    groups.sort_by(|a, b| {
        let key = |g: &Group| g.members.iter().map(|m| m.path.clone()).collect::<Vec<_>>();
        key(a).cmp(&key(b))
    });
    groups.dedup_by(|later, kept| {
        let same = later.members.len() == kept.members.len()
            && later
                .members
                .iter()
                .zip(&kept.members)
                .all(|(x, y)| x.path == y.path);
        if same {
            kept.pairs.append(&mut later.pairs);
            kept.pairs.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
            kept.pairs.dedup_by(|x, y| x.a == y.a && x.b == y.b);
        }
        same
    });
    for (k, g) in groups.iter_mut().enumerate() {
        g.id = k + 1;
    }
    (groups, shared_parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEFT: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    const RIGHT: u64 = 0xf0f0_f0f0_f0f0_f0f0;

    #[test]
    fn collage_tiles_are_separate_regions() {
        // 0 = collage (A left, B right), 1 = A, 2 = B, 3 = a re-encode of the collage.
        let edges = [
            (0, 1, [LEFT, u64::MAX]),
            (0, 2, [RIGHT, u64::MAX]),
            (0, 3, [u64::MAX, u64::MAX]),
        ];
        let (count, at) = regions(4, &edges);
        assert_eq!(count, vec![2, 1, 1, 1]);
        assert_ne!(
            at[0][0], at[1][0],
            "A's and B's tiles are different regions"
        );
        assert_eq!(
            at[2][0], at[0][0],
            "the whole-image pair joins one tile, not both"
        );
    }

    #[test]
    fn copies_of_one_photo_stay_one_region() {
        let centre = 0x0000_3c3c_3c3c_0000u64;
        let edges = [
            (0, 1, [u64::MAX, u64::MAX]),
            (0, 2, [centre, u64::MAX]),
            (0, 3, [0, 0]),
        ];
        let (count, _) = regions(4, &edges);
        assert_eq!(count, vec![1, 1, 1, 1]);
    }

    #[test]
    fn a_shared_sticker_is_not_main_content() {
        // 0, 1: two products' copies, each matching its own original (2, 3) over most of the
        // image and each other only on a sticker in the corner.
        let sticker = 0x0303u64;
        let product = 0xffff_ffff_ffff_0000u64;
        let edges = [
            (0, 2, [product, u64::MAX]),
            (1, 3, [product, u64::MAX]),
            (0, 1, [sticker, sticker]),
        ];
        let (count, at) = regions(4, &edges);
        assert_eq!(count, vec![2, 2, 1, 1]);
        let main = main_regions(&count, &edges, &at);
        assert!(main[0][at[0][0]] && !main[0][at[2][0]]);
        assert!(main[1][at[1][0]] && !main[1][at[2][1]]);
    }

    #[test]
    fn app_chrome_shared_by_many_screenshots_is_layout_not_a_copy() {
        // Images 0..6 are screenshots of six different products 6..12; each matches its own
        // product in the middle rows and the next screenshot on the chrome (top and bottom
        // rows), which here is the larger part. Image 12 is a screenshot of a product the
        // catalogue does not hold: chrome only.
        let chrome = 0xffff_0000_0000_ffffu64;
        let middle = 0x0000_0000_ffff_0000u64;
        let mut edges = Vec::new();
        for k in 0..6u32 {
            edges.push((k, 6 + k, [middle, u64::MAX]));
            edges.push((k, (k + 1) % 6, [chrome, chrome]));
        }
        edges.push((12, 0, [chrome, chrome]));
        let (comps, left_out) = components(13, &edges);
        assert_eq!(left_out, 1, "the chrome group");
        let groups: Vec<Vec<usize>> = comps
            .iter()
            .filter(|c| c.members.len() >= 2)
            .map(|c| c.members.iter().copied().collect())
            .collect();
        assert_eq!(
            groups,
            (0..6).map(|k| vec![k, 6 + k]).collect::<Vec<_>>(),
            "each screenshot with its product, nothing else"
        );
    }

    #[test]
    fn an_original_with_only_collage_copies_stays_a_group() {
        // 0 = original; 1, 2, 3 = collages holding it in their left half, each also holding
        // another catalogued product (4, 5, 6) in the right half.
        let edges = [
            (0, 1, [u64::MAX, LEFT]),
            (0, 2, [u64::MAX, LEFT]),
            (0, 3, [u64::MAX, LEFT]),
            (1, 4, [RIGHT, u64::MAX]),
            (2, 5, [RIGHT, u64::MAX]),
            (3, 6, [RIGHT, u64::MAX]),
        ];
        let (comps, left_out) = components(7, &edges);
        assert_eq!(left_out, 0);
        let sets: Vec<Vec<usize>> = comps
            .iter()
            .map(|c| c.members.iter().copied().collect())
            .collect();
        assert!(sets.contains(&vec![0, 1, 2, 3]), "{sets:?}");
        assert!(
            sets.contains(&vec![1, 4]) && sets.contains(&vec![3, 6]),
            "{sets:?}"
        );
    }
}
