//! Retrieval by local features ("binary words"): the candidate source for copies that keep only
//! part of the original — heavy crops, collages, phone screenshots, products cut out onto a new
//! background, big stickers. Their global hashes share little with the original's, but dozens
//! of their local descriptors (the verifier's own BRIEF features, `fingerprint::local`) are the
//! original's.
//!
//! Design: locality-sensitive hashing by bit sampling, no trained vocabulary (nothing to fit to
//! our benchmark, nothing to ship). Each indexed descriptor half (128 bits: one orientation of
//! the mirror-aware BRIEF) gives one `key_bits`-bit key in each of `tables` tables, from
//! fixed bit positions. Two descriptors of the same scene point (Hamming distance ≲ 20 of 128)
//! share a key in some table with good probability; unrelated ones rarely do. An inverted file
//! per table (key → images) counts, for a query image, how many of its features hit each
//! stored image; images with at least `min_votes` hits are candidates (at most
//! `max_candidates` per query, the best scored), verified like every other candidate
//! ([`Params::DEFAULT`]).
//!
//! Mirror at no cost: a mirrored copy's descriptors are the original's with the two 128-bit
//! halves swapped (`local::Features::mirrored`), so the index stores the first half only and a
//! query looks up both halves.
//!
//! Cost: the index holds one `u32` image id per (table, distinct key, image) plus its keys —
//! about `tables × features × 4` bytes per image at most; a query does `2 × tables ×` (its
//! features) binary searches and reads the buckets it lands in. Buckets holding more than a
//! `stop_share` of the images are stop words (flat textures, blank edges) and are skipped.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::fingerprint::local::Features;

/// The index's parameters; [`Params::DEFAULT`] is what scan and match use (measured in
/// `docs/accuracy.md`), the others exist for the probe that chose it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Tables (independent bit samplings).
    pub tables: usize,
    /// Bits per key (≤ 32).
    pub key_bits: usize,
    /// Features of an image that are indexed / that vote (the strongest, spread over the frame).
    pub features: usize,
    /// Hits needed to become a candidate.
    pub min_votes: u32,
    /// Most-voted candidates kept per query image.
    pub max_candidates: usize,
    /// A bucket shared by more than this share of the indexed images (and more than
    /// `stop_min`) is a stop word.
    pub stop_share: f64,
    pub stop_min: usize,
}

impl Params {
    pub const DEFAULT: Params = Params {
        tables: 6,
        key_bits: 22,
        features: 600,
        min_votes: 8,
        max_candidates: 24,
        stop_share: 0.02,
        stop_min: 32,
    };
}

impl Default for Params {
    fn default() -> Params {
        Params::DEFAULT
    }
}

/// Fixed bit positions (0..128) per table, from a seeded generator: the same in every build.
fn positions(p: &Params) -> Vec<Vec<u8>> {
    let mut seed: u64 = 0x5DEE_CE66_D1CE_4E5B;
    (0..p.tables)
        .map(|_| {
            let mut used = [false; 128];
            let mut t = Vec::with_capacity(p.key_bits);
            while t.len() < p.key_bits.min(32) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let q = (seed % 128) as usize;
                if !used[q] {
                    used[q] = true;
                    t.push(q as u8);
                }
            }
            t
        })
        .collect()
}

fn key(half: [u64; 2], pos: &[u8]) -> u32 {
    let mut k = 0u32;
    for (i, &p) in pos.iter().enumerate() {
        let bit = (half[(p / 64) as usize] >> (p % 64)) & 1;
        k |= (bit as u32) << i;
    }
    k
}

/// The keys of one image's features: per feature, one key per table (feature-major), for the
/// descriptor as it is (`direct`) and mirrored (`mirror`).
#[derive(Debug, Clone, Default)]
pub struct Keys {
    tables: usize,
    direct: Vec<u32>,
    mirror: Vec<u32>,
}

impl Keys {
    pub fn of(f: &Features, p: &Params) -> Keys {
        Keys::of_descriptors(&f.descriptors, p)
    }

    /// The keys of the first `p.features` of `descriptors` (strongest first).
    pub fn of_descriptors(descriptors: &[[u64; 4]], p: &Params) -> Keys {
        let pos = positions(p);
        let n = descriptors.len().min(p.features);
        let mut k = Keys {
            tables: p.tables,
            direct: Vec::with_capacity(n * p.tables),
            mirror: Vec::with_capacity(n * p.tables),
        };
        for d in &descriptors[..n] {
            k.direct.extend(pos.iter().map(|t| key([d[0], d[1]], t)));
            k.mirror.extend(pos.iter().map(|t| key([d[2], d[3]], t)));
        }
        k
    }

    fn side(&self, mirror: bool) -> std::slice::ChunksExact<'_, u32> {
        let v = if mirror { &self.mirror } else { &self.direct };
        v.chunks_exact(self.tables.max(1))
    }
}

/// One inverted file: sorted distinct keys, and for each the images holding it.
#[derive(Debug, Default)]
struct Table {
    keys: Vec<u32>,
    starts: Vec<u32>,
    images: Vec<u32>,
}

impl Table {
    fn build(mut postings: Vec<(u32, u32)>) -> Table {
        postings.par_sort_unstable();
        postings.dedup();
        let mut t = Table::default();
        for (k, img) in postings {
            if t.keys.last() != Some(&k) {
                t.keys.push(k);
                t.starts.push(t.images.len() as u32);
            }
            t.images.push(img);
        }
        t.starts.push(t.images.len() as u32);
        t
    }

    fn bucket(&self, k: u32) -> &[u32] {
        match self.keys.binary_search(&k) {
            Ok(i) => &self.images[self.starts[i] as usize..self.starts[i + 1] as usize],
            Err(_) => &[],
        }
    }

    fn bytes(&self) -> usize {
        4 * (self.keys.len() + self.starts.len() + self.images.len())
    }
}

/// A candidate from the feature index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vote {
    pub image: u32,
    /// Query features with a key in common with the image, as is and mirrored.
    pub direct: u32,
    pub mirrored: u32,
    /// The better side's votes weighted by key rarity (what candidates are ranked by).
    pub score: f32,
}

impl Vote {
    pub fn best(&self) -> u32 {
        self.direct.max(self.mirrored)
    }
}

/// The inverted files over a set of images' features.
#[derive(Debug, Default)]
pub struct FeatureIndex {
    params: Params,
    tables: Vec<Table>,
    images: usize,
    stop: usize,
}

impl FeatureIndex {
    /// Index `(image id, keys)`; only the direct keys are stored.
    pub fn build(items: &[(u32, &Keys)], p: &Params) -> FeatureIndex {
        let tables = (0..p.tables)
            .into_par_iter()
            .map(|t| {
                let postings: Vec<(u32, u32)> = items
                    .iter()
                    .flat_map(|(img, k)| k.side(false).map(move |ks| (ks[t], *img)))
                    .collect();
                Table::build(postings)
            })
            .collect();
        FeatureIndex {
            params: *p,
            tables,
            images: items.len(),
            stop: ((items.len() as f64 * p.stop_share) as usize).max(p.stop_min),
        }
    }

    pub fn len(&self) -> usize {
        self.images
    }

    pub fn is_empty(&self) -> bool {
        self.images == 0
    }

    /// Bytes held by the inverted files.
    pub fn bytes(&self) -> usize {
        self.tables.iter().map(Table::bytes).sum()
    }

    /// Images voted for by `q`, most votes first, at least `min_votes`, at most
    /// `max_candidates`; `skip` (the query's own id) is left out.
    pub fn query(&self, q: &Keys, skip: Option<u32>) -> Vec<Vote> {
        let mut v = self.votes(q, skip);
        v.retain(|v| v.best() >= self.params.min_votes);
        v.truncate(self.params.max_candidates);
        v
    }

    /// Every image sharing a key with `q`, best score first. A query feature counts once per
    /// image and side, weighted by how rare its key is (inverse document frequency): keys
    /// that many images share say little.
    pub fn votes(&self, q: &Keys, skip: Option<u32>) -> Vec<Vote> {
        #[derive(Default)]
        struct Acc {
            votes: [u32; 2],
            stamp: [u32; 2],
            score: [f32; 2],
        }
        let n = self.images.max(1) as f32;
        let mut acc: HashMap<u32, Acc> = HashMap::new();
        for side in 0..2 {
            for (f, ks) in q.side(side == 1).enumerate() {
                let stamp = f as u32 + 1;
                for (t, &k) in ks.iter().enumerate() {
                    let b = self.tables[t].bucket(k);
                    if b.len() > self.stop {
                        continue;
                    }
                    let w = (n / b.len().max(1) as f32).ln().max(0.0);
                    for &img in b {
                        if Some(img) == skip {
                            continue;
                        }
                        let e = acc.entry(img).or_default();
                        if e.stamp[side] != stamp {
                            e.stamp[side] = stamp;
                            e.votes[side] += 1;
                            e.score[side] += w;
                        }
                    }
                }
            }
        }
        let mut v: Vec<Vote> = acc
            .into_iter()
            .map(|(image, e)| Vote {
                image,
                direct: e.votes[0],
                mirrored: e.votes[1],
                score: e.score[0].max(e.score[1]),
            })
            .collect();
        v.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.image.cmp(&b.image)));
        v
    }

    /// Candidate pairs (i < j) among the indexed images (ids are positions in `keys`), each
    /// image marked in `involve` querying with its keys.
    pub fn self_pairs(&self, keys: &[Keys], involve: &[bool]) -> Vec<(u32, u32)> {
        let mut pairs: Vec<(u32, u32)> = keys
            .par_iter()
            .enumerate()
            .filter(|(i, _)| involve[*i])
            .flat_map_iter(|(i, k)| {
                let i = i as u32;
                self.query(k, Some(i))
                    .into_iter()
                    .map(move |v| (i.min(v.image), i.max(v.image)))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }
}

/// Candidates from nearest-neighbour hits instead of keys (the Milvus index): `reached[side][f]`
/// holds the images that query feature `f` reached as is (side 0) and mirrored (side 1), each
/// once. A feature votes once per image and side; images with at least `p.min_votes` on their
/// better side are candidates, most votes first (ties by id), at most `p.max_candidates`;
/// `skip` is left out.
pub fn tally<I: Copy + Ord + std::hash::Hash>(
    reached: [&[Vec<I>]; 2],
    skip: Option<I>,
    p: &Params,
) -> Vec<(I, u32)> {
    let mut acc: HashMap<I, [u32; 2]> = HashMap::new();
    for (side, features) in reached.iter().enumerate() {
        for images in features.iter() {
            let mut seen: Vec<I> = images
                .iter()
                .copied()
                .filter(|i| Some(*i) != skip)
                .collect();
            seen.sort_unstable();
            seen.dedup();
            for img in seen {
                acc.entry(img).or_default()[side] += 1;
            }
        }
    }
    let mut v: Vec<(I, u32)> = acc
        .into_iter()
        .map(|(img, s)| (img, s[0].max(s[1])))
        .filter(|&(_, n)| n >= p.min_votes)
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(p.max_candidates);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feats(descs: Vec<[u64; 4]>) -> Features {
        Features {
            width: 512,
            height: 512,
            points: descs.iter().map(|_| [10.0, 10.0]).collect(),
            descriptors: descs,
            thumb: vec![],
        }
    }

    /// SplitMix64 streams (xorshift streams of different seeds are linearly related, which
    /// would make "unrelated" descriptors share bits).
    fn rand_descs(seed: u64, n: usize) -> Vec<[u64; 4]> {
        let mut s = seed.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ (seed << 40);
        let mut next = || {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        (0..n).map(|_| [next(), next(), next(), next()]).collect()
    }

    #[test]
    fn positions_are_distinct_per_table() {
        let p = Params::DEFAULT;
        for t in positions(&p) {
            let mut v = t.to_vec();
            v.sort_unstable();
            v.dedup();
            assert_eq!(v.len(), p.key_bits);
            assert!(v.iter().all(|&p| p < 128));
        }
    }

    #[test]
    fn shared_descriptors_vote_and_mirror_is_found() {
        let a = rand_descs(1, 200);
        let unrelated = rand_descs(2, 200);
        // b holds 40 of a's descriptors (a partial copy) among its own.
        let mut b = rand_descs(3, 160);
        b.extend_from_slice(&a[..40]);
        let p = Params::DEFAULT;
        let ka = Keys::of(&feats(a.clone()), &p);
        let ku = Keys::of(&feats(unrelated), &p);
        let idx = FeatureIndex::build(&[(0, &ka), (1, &ku)], &p);
        let kb = Keys::of(&feats(b.clone()), &p);
        let v = idx.query(&kb, None);
        assert_eq!(v.len(), 1, "{v:?}");
        // 40 shared descriptors, at most a chance hit more.
        assert_eq!(v[0].image, 0);
        assert!((40..=41).contains(&v[0].direct), "{v:?}");
        // The mirrored copy: halves swapped.
        let m: Vec<[u64; 4]> = b.iter().map(|d| [d[2], d[3], d[0], d[1]]).collect();
        let v = idx.query(&Keys::of(&feats(m), &p), None);
        assert_eq!(v[0].image, 0);
        assert!(
            (40..=41).contains(&v[0].mirrored) && v[0].direct <= 1,
            "{v:?}"
        );
        // Skipping itself.
        assert!(idx.query(&ka, Some(0)).is_empty());
    }

    #[test]
    fn tally_counts_each_feature_once_per_side() {
        let p = Params {
            min_votes: 2,
            max_candidates: 2,
            ..Params::DEFAULT
        };
        // Image 7: three features as is; image 9: two mirrored (one reached twice by the same
        // feature, which counts once); image 3: one vote on each side (never 2 on one side);
        // image 1 is the query itself.
        let direct = vec![vec![7, 3, 1], vec![7, 1], vec![7]];
        let mirror = vec![vec![9, 9], vec![9, 3], vec![]];
        let v = tally([&direct, &mirror], Some(1), &p);
        assert_eq!(v, vec![(7, 3), (9, 2)]);
        let p1 = Params {
            max_candidates: 1,
            ..p
        };
        assert_eq!(tally([&direct, &mirror], Some(1), &p1), vec![(7, 3)]);
    }
}
