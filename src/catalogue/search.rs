//! Exact Hamming-radius search over packed 256-bit hashes.
//!
//! [`Linear`] is the reference: a popcount over every entry. [`MultiIndex`] is multi-index
//! hashing (Norouzi, Punjani & Fleet 2012): the 256 bits are cut into m = 13 substrings (twelve
//! of 20 bits and one of 16: about log2(N) bits each for N ≈ 10^6, so buckets hold ~1 entry),
//! each indexed in its own table. If two hashes are within `r` bits, the substring distances sum
//! to at most `r`, so at least one substring is within `⌊r/13⌋` bits (pigeonhole): probing every
//! value within that radius in every table finds every true neighbour, and each candidate is
//! then checked exactly. Results equal the linear scan's, always (tested on random
//! and planted data).

use rayon::prelude::*;

/// A 256-bit hash packed as four u64 words.
pub type Packed = [u64; 4];

/// A packed hash as the 32 bytes of `Hash256::to_bytes` (PDQ hex order): the form exports and
/// Milvus vectors use, so vectors bulk-imported from an export and vectors we send agree.
pub fn unpack(p: &Packed) -> [u8; 32] {
    crate::fingerprint::pdq::Hash256::from_u64s(p).to_bytes()
}

pub use crate::fingerprint::hamming256 as hamming;

/// One hit: entry index and distance.
pub type Hit = (u32, u32);

fn sort_hits(mut v: Vec<Hit>) -> Vec<Hit> {
    v.sort_by_key(|&(i, d)| (d, i));
    v
}

/// Brute force: the baseline every index is tested against.
#[derive(Debug, Clone, Default)]
pub struct Linear {
    pub hashes: Vec<Packed>,
}

impl Linear {
    pub fn new(hashes: Vec<Packed>) -> Linear {
        Linear { hashes }
    }
    /// Every entry within `radius` bits of `q`, sorted by (distance, index).
    pub fn within(&self, q: &Packed, radius: u32) -> Vec<Hit> {
        sort_hits(
            self.hashes
                .iter()
                .enumerate()
                .filter_map(|(i, h)| {
                    let d = hamming(q, h);
                    (d <= radius).then_some((i as u32, d))
                })
                .collect(),
        )
    }
}

/// Substring layout: (first bit, length). Twelve 20-bit substrings and a final 16-bit one.
const LAYOUT: [(u32, u32); 13] = [
    (0, 20),
    (20, 20),
    (40, 20),
    (60, 20),
    (80, 20),
    (100, 20),
    (120, 20),
    (140, 20),
    (160, 20),
    (180, 20),
    (200, 20),
    (220, 20),
    (240, 16),
];
const SUBSTRINGS: usize = LAYOUT.len();

/// Bits `[start, start + len)` of the 256-bit value (bit k = word k / 64, bit k % 64).
fn substring(h: &Packed, t: usize) -> u32 {
    let (start, len) = LAYOUT[t];
    let (w, off) = ((start / 64) as usize, start % 64);
    let mut v = h[w] >> off;
    if off + len > 64 {
        v |= h[w + 1] << (64 - off);
    }
    (v & ((1u64 << len) - 1)) as u32
}

/// Multi-index hashing over [`LAYOUT`]'s tables (CSR layout: offsets + entries per table).
#[derive(Debug, Clone)]
pub struct MultiIndex {
    hashes: Vec<Packed>,
    /// `offsets[t][v]..offsets[t][v + 1]` indexes `entries[t]` for substring value v of table t.
    offsets: Vec<Vec<u32>>,
    entries: Vec<Vec<u32>>,
}

/// Per-thread scratch for queries (visited stamps), so a query allocates nothing but its result.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    stamp: Vec<u32>,
    generation: u32,
}

impl MultiIndex {
    pub fn build(hashes: Vec<Packed>) -> MultiIndex {
        let n = hashes.len();
        let (offsets, entries): (Vec<Vec<u32>>, Vec<Vec<u32>>) = (0..SUBSTRINGS)
            .into_par_iter()
            .map(|t| {
                let buckets = 1usize << LAYOUT[t].1;
                let mut counts = vec![0u32; buckets + 1];
                for h in &hashes {
                    counts[substring(h, t) as usize + 1] += 1;
                }
                for v in 0..buckets {
                    counts[v + 1] += counts[v];
                }
                let mut fill = counts.clone();
                let mut e = vec![0u32; n];
                for (i, h) in hashes.iter().enumerate() {
                    let v = substring(h, t) as usize;
                    e[fill[v] as usize] = i as u32;
                    fill[v] += 1;
                }
                (counts, e)
            })
            .unzip();
        MultiIndex {
            hashes,
            offsets,
            entries,
        }
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }
    pub fn hash(&self, i: u32) -> &Packed {
        &self.hashes[i as usize]
    }

    pub fn scratch(&self) -> Scratch {
        Scratch {
            stamp: vec![0; self.hashes.len()],
            generation: 0,
        }
    }

    /// Every entry within `radius` bits of `q`, sorted by (distance, index). Equal to
    /// [`Linear::within`] on the same entries.
    pub fn within(&self, q: &Packed, radius: u32, s: &mut Scratch) -> Vec<Hit> {
        if s.stamp.len() != self.hashes.len() {
            *s = self.scratch();
        }
        s.generation = s.generation.wrapping_add(1);
        if s.generation == 0 {
            s.stamp.iter_mut().for_each(|x| *x = 0);
            s.generation = 1;
        }
        let sub_radius = (radius as usize / SUBSTRINGS) as u32;
        let mut out = Vec::new();
        for (t, &(_, len)) in LAYOUT.iter().enumerate() {
            let qv = substring(q, t);
            let (off, ent) = (&self.offsets[t], &self.entries[t]);
            for_each_within(qv, len, sub_radius, &mut |v| {
                for &i in &ent[off[v as usize] as usize..off[v as usize + 1] as usize] {
                    let slot = &mut s.stamp[i as usize];
                    if *slot == s.generation {
                        continue;
                    }
                    *slot = s.generation;
                    let d = hamming(q, &self.hashes[i as usize]);
                    if d <= radius {
                        out.push((i, d));
                    }
                }
            });
        }
        sort_hits(out)
    }

    /// All pairs (i < j) within `radius`, sorted by (i, j).
    ///
    /// Table by table, for every probe mask m of at most `⌊radius/13⌋` bits, every bucket v is
    /// swept against bucket v ⊕ m: both indices move monotonically through memory, and the
    /// table's hashes are copied inline in bucket order, so candidate checks stream instead of
    /// missing the cache. A pair is reported only from the first table where its substrings
    /// collide within the probe radius, so no global de-duplication is needed.
    pub fn self_join(&self, radius: u32) -> Vec<(u32, u32, u32)> {
        let sub_radius = radius / SUBSTRINGS as u32;
        let mut all = Vec::new();
        for (t, &(_, len)) in LAYOUT.iter().enumerate() {
            let (off, ent) = (&self.offsets[t], &self.entries[t]);
            let inline: Vec<Packed> = ent.iter().map(|&i| self.hashes[i as usize]).collect();
            let mut masks = Vec::new();
            for_each_within(0, len, sub_radius, &mut |m| masks.push(m));
            let found: Vec<(u32, u32, u32)> = masks
                .par_iter()
                .flat_map_iter(|&mask| {
                    let mut out = Vec::new();
                    let first_table = |x: &Packed, y: &Packed| {
                        (0..t).all(|t2| {
                            (substring(x, t2) ^ substring(y, t2)).count_ones() > sub_radius
                        })
                    };
                    for v in 0..(1u32 << len) {
                        let u = v ^ mask;
                        if u < v {
                            continue;
                        }
                        let (b0, b1) = (off[v as usize] as usize, off[v as usize + 1] as usize);
                        let (c0, c1) = (off[u as usize] as usize, off[u as usize + 1] as usize);
                        for a in b0..b1 {
                            let start = if u == v { a + 1 } else { c0 };
                            for b in start..c1 {
                                let d = hamming(&inline[a], &inline[b]);
                                if d <= radius && first_table(&inline[a], &inline[b]) {
                                    let (i, j) = (ent[a], ent[b]);
                                    out.push((i.min(j), i.max(j), d));
                                }
                            }
                        }
                    }
                    out
                })
                .collect();
            all.extend(found);
        }
        all.sort_unstable();
        all
    }
}

/// Call `f` for every `len`-bit value within `r` bits of `v` (each exactly once).
fn for_each_within(v: u32, len: u32, r: u32, f: &mut impl FnMut(u32)) {
    fn rec(v: u32, from: u32, len: u32, left: u32, f: &mut impl FnMut(u32)) {
        f(v);
        if left == 0 {
            return;
        }
        for b in from..len {
            rec(v ^ (1 << b), b + 1, len, left - 1, f);
        }
    }
    rec(v, 0, len, r.min(len), f);
}
