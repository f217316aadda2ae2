//! Groups: connected components of the duplicate pairs (a disjoint set).

use std::collections::{BTreeMap, HashMap};

use super::*;
use crate::decode;

pub(super) fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Group the scored items: pairs at or above `min` (and same-content paths) joined, groups
/// with at least two paths and at least one non-reference path reported.
pub(super) fn group(items: &[Item], kept: Vec<(u32, u32, PairScore)>) -> Vec<Group> {
    let mut parent: Vec<usize> = (0..items.len()).collect();
    for &(i, j, _) in &kept {
        let (a, b) = (find(&mut parent, i as usize), find(&mut parent, j as usize));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut comps: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..items.len() {
        let r = find(&mut parent, i);
        comps.entry(r).or_default().push(i);
    }
    let mut pairs_by_root: HashMap<usize, Vec<PairScore>> = HashMap::new();
    for (i, _, p) in kept {
        let r = find(&mut parent, i as usize);
        pairs_by_root.entry(r).or_default().push(p);
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
            }
        }
        pairs.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
        groups.push(Group {
            id: 0,
            members,
            pairs,
        });
    }
    groups.sort_by(|a, b| a.members[0].path.cmp(&b.members[0].path));
    for (k, g) in groups.iter_mut().enumerate() {
        g.id = k + 1;
    }
    groups
}
