//! Multi-index hashing must return exactly what the linear scan returns: random data, planted
//! near-duplicates at every distance around the radius, duplicates, and all radii used.
mod common;

use pairproof::catalogue::search::{hamming, Linear, MultiIndex, Packed};

fn random(n: usize, seed: u64) -> Vec<Packed> {
    let mut r = common::cases::Rng::new(seed);
    (0..n)
        .map(|_| [r.next_u64(), r.next_u64(), r.next_u64(), r.next_u64()])
        .collect()
}

fn flip_bits(h: &Packed, k: u32, r: &mut common::cases::Rng) -> Packed {
    let mut out = *h;
    let mut flipped = std::collections::BTreeSet::new();
    while flipped.len() < k as usize {
        flipped.insert((r.next_u64() % 256) as usize);
    }
    for b in flipped {
        out[b / 64] ^= 1 << (b % 64);
    }
    out
}

#[test]
fn multi_index_equals_linear_on_random_and_planted_data() {
    let mut r = common::cases::Rng::new(77);
    let mut hashes = random(20_000, 1);
    // Plant clusters: for 200 seeds, copies at distances 0..=70 bits.
    let seeds: Vec<Packed> = hashes[..200].to_vec();
    for s in &seeds {
        for k in [
            0u32, 1, 5, 15, 16, 17, 31, 32, 33, 38, 39, 47, 48, 49, 63, 64, 70,
        ] {
            hashes.push(flip_bits(s, k, &mut r));
        }
    }
    let lin = Linear::new(hashes.clone());
    let mih = MultiIndex::build(hashes.clone());
    let mut scratch = mih.scratch();
    for radius in [0u32, 10, 31, 32, 38, 47, 63, 64, 70] {
        for q in seeds.iter().chain(random(50, 9).iter()) {
            let a = lin.within(q, radius);
            let b = mih.within(q, radius, &mut scratch);
            assert_eq!(a, b, "radius {radius}");
            assert!(a
                .iter()
                .all(|&(i, d)| d == hamming(q, &hashes[i as usize]) && d <= radius));
        }
    }
}

#[test]
fn self_join_equals_linear_pairs() {
    let mut r = common::cases::Rng::new(5);
    let mut hashes = random(3_000, 2);
    for i in 0..100 {
        let h = hashes[i];
        hashes.push(flip_bits(&h, (i % 40) as u32, &mut r));
    }
    let mih = MultiIndex::build(hashes.clone());
    let got = mih.self_join(38);
    let mut want = Vec::new();
    for i in 0..hashes.len() {
        for j in i + 1..hashes.len() {
            let d = hamming(&hashes[i], &hashes[j]);
            if d <= 38 {
                want.push((i as u32, j as u32, d));
            }
        }
    }
    assert_eq!(got, want);
    assert_eq!(
        want.len(),
        98,
        "the planted pairs except the two at 39 bits (i = 39, 79), and no others"
    );
}
