//! Groups: images joined by duplicate pairs, *through the same part of each image*.
//!
//! Plain connected components are wrong for composite images: a collage holding product A in
//! one tile and product B in another is a copy of A and a copy of B, but A and B are not copies
//! of each other; a phone screenshot shares the app's status bar with every other screenshot
//! and the product photo with its source. So each image is split into *regions*: the pairs
//! touching it are clustered by where their inliers lie in it (`Verification::cells_a`, an 8×8
//! grid), and a pair joins the two regions it touches, not the two whole images. An image
//! whose pairs lie in different parts of it (a collage) is then a member of several groups,
//! one per part; an ordinary photo, whose copies all cover the same product, stays one region.

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

fn union(parent: &mut [usize], a: usize, b: usize) {
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

/// Group the scored items: pairs at or above `min` joined region to region (see the module
/// doc), same-content paths always together; groups with at least two paths and at least one
/// non-reference path reported.
pub(super) fn group(items: &[Item], kept: Vec<(u32, u32, PairScore)>) -> Vec<Group> {
    let edges: Vec<(u32, u32, [u64; 2])> = kept.iter().map(|(i, j, p)| (*i, *j, p.cells)).collect();
    let (count, at) = regions(items.len(), &edges);
    let mut base = Vec::with_capacity(items.len());
    let mut nodes = 0usize;
    for c in &count {
        base.push(nodes);
        nodes += c;
    }
    let node = |img: u32, r: usize| base[img as usize] + r;
    let mut parent: Vec<usize> = (0..nodes).collect();
    for (e, &(i, j, _)) in edges.iter().enumerate() {
        union(&mut parent, node(i, at[e][0]), node(j, at[e][1]));
    }
    let mut comps: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (img, &c) in count.iter().enumerate() {
        for r in 0..c {
            let root = find(&mut parent, base[img] + r);
            comps.entry(root).or_default().insert(img);
        }
    }
    let mut pairs_by_root: HashMap<usize, Vec<PairScore>> = HashMap::new();
    for (e, (i, _, p)) in kept.into_iter().enumerate() {
        let root = find(&mut parent, node(i, at[e][0]));
        pairs_by_root.entry(root).or_default().push(p);
    }
    let mut groups = Vec::new();
    for (root, idx) in comps {
        let mut members = Vec::new();
        let mut pairs = pairs_by_root.remove(&root).unwrap_or_default();
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
    groups
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
}
