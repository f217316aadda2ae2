//! The catalogue file: round trip, fast path, locking, corruption, versions, user decisions.
mod common;

use pairproof::catalogue::store::{CachedScore, Catalogue, FileStat, UserDecision};
use pairproof::fingerprint;

fn fp(seed: u64) -> fingerprint::Analysis {
    fingerprint::analyse(&common::cases::product(300, 240, seed))
}

#[test]
fn round_trip_survives_reopen_and_fast_path_matches_identity() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cat.sqlite");
    let sha = [7u8; 32];
    let st = FileStat {
        dev: 1,
        inode: 42,
        size: 1000,
        mtime_ns: 123_456_789,
    };
    let f = fp(1);
    assert!(
        f.fingerprint.canonical.is_some(),
        "the product fixture has a flat background"
    );
    {
        let mut c = Catalogue::open(&path).unwrap();
        c.batch(|b| {
            b.put_record(&sha, &f)?;
            b.put_file("shop/a.jpg", st, &sha, 1)
        })
        .unwrap();
    }
    let c = Catalogue::open(&path).unwrap();
    // Everything stored comes back exactly (feature positions are quantised at extraction).
    assert_eq!(c.record(&sha).unwrap(), Some(f.clone()));
    assert_eq!(c.fingerprint(&sha).unwrap(), Some(f.fingerprint.clone()));
    assert_eq!(c.features(&sha).unwrap(), Some(f.features.clone()));
    assert_eq!(c.known_file("shop/a.jpg", st).unwrap(), Some(sha));
    // Edited in place (same size, new mtime): not known, will be re-hashed.
    assert_eq!(
        c.known_file(
            "shop/a.jpg",
            FileStat {
                mtime_ns: 123_456_790,
                ..st
            }
        )
        .unwrap(),
        None
    );
    assert_eq!(c.known_file("shop/b.jpg", st).unwrap(), None);
    assert_eq!(c.fingerprint(&[8u8; 32]).unwrap(), None);
}

#[test]
fn a_second_writer_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cat.sqlite");
    let mut first = Catalogue::open(&path).unwrap();
    let mut second = Catalogue::open(&path).unwrap();
    let t = std::time::Instant::now();
    first
        .batch(|b| {
            b.add_decision(&UserDecision::not_a_copy("a.jpg", "b.jpg"))?;
            let e = second.batch(|_| Ok(())).unwrap_err();
            assert_eq!(e.code(), "E_CATALOGUE_LOCKED");
            Ok(())
        })
        .unwrap();
    assert!(
        t.elapsed() < std::time::Duration::from_secs(2),
        "no waiting"
    );
    // After the first commits, the second can write.
    second
        .batch(|b| {
            b.add_decision(&UserDecision::ReferenceRoot {
                folder: "/photos/own".into(),
            })
        })
        .unwrap();
    let d = second.decisions().unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(d[0], UserDecision::not_a_copy("a.jpg", "b.jpg"));
}

#[test]
fn corrupt_files_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.sqlite");
    std::fs::write(&garbage, vec![0x5Au8; 8192]).unwrap();
    assert_eq!(
        Catalogue::open(&garbage).err().map(|e| e.code().as_str()),
        Some("E_CATALOGUE_CORRUPT")
    );

    let path = dir.path().join("cat.sqlite");
    {
        let mut c = Catalogue::open(&path).unwrap();
        c.batch(|b| {
            for i in 0..200u8 {
                b.put_record(&[i; 32], &fp(i as u64 % 3))?;
            }
            Ok(())
        })
        .unwrap();
        // Fold the WAL back into the main file so the damage below hits committed pages.
        drop(c);
    }
    let _ = std::fs::remove_file(dir.path().join("cat.sqlite-wal"));
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    for b in &mut bytes[n / 2..n / 2 + 4096] {
        *b ^= 0xFF;
    }
    std::fs::write(&path, bytes).unwrap();
    assert_eq!(
        Catalogue::open(&path).err().map(|e| e.code().as_str()),
        Some("E_CATALOGUE_CORRUPT")
    );
}

#[test]
fn newer_schema_is_refused_and_other_algorithm_versions_are_not_current() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cat.sqlite");
    Catalogue::open(&path).unwrap();
    {
        let conn = rusqlite_free_update(
            &path,
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
        );
        assert!(conn);
    }
    assert_eq!(
        Catalogue::open(&path).err().map(|e| e.code().as_str()),
        Some("E_CATALOGUE_VERSION")
    );

    let path2 = dir.path().join("cat2.sqlite");
    let sha = [3u8; 32];
    {
        let mut c = Catalogue::open(&path2).unwrap();
        c.batch(|b| b.put_record(&sha, &fp(2))).unwrap();
    }
    assert!(rusqlite_free_update(
        &path2,
        "UPDATE fingerprints SET algorithm_version = 0"
    ));
    let c = Catalogue::open(&path2).unwrap();
    assert_eq!(
        c.fingerprint(&sha).unwrap(),
        None,
        "an old algorithm's row is never returned as current"
    );
    assert_eq!(
        c.fingerprint_count().unwrap(),
        1,
        "but it is kept until recomputed"
    );
}

/// Edit the file with the sqlite3 library through a second, raw connection (tests only).
fn rusqlite_free_update(path: &std::path::Path, sql: &str) -> bool {
    pairproof::catalogue::store::raw_execute_for_tests(path, sql).is_ok()
}

#[test]
fn an_older_schema_is_migrated_by_recomputing_never_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cat.sqlite");
    let sha = [5u8; 32];
    {
        let mut c = Catalogue::open(&path).unwrap();
        c.batch(|b| {
            b.put_record(&sha, &fp(1))?;
            b.add_decision(&UserDecision::ReferenceRoot {
                folder: "/photos/own".into(),
            })?;
            b.put_file(
                "/shop/a.jpg",
                FileStat {
                    dev: 1,
                    inode: 2,
                    size: 3,
                    mtime_ns: 4,
                },
                &sha,
                1,
            )
        })
        .unwrap();
    }
    assert!(pairproof::catalogue::store::raw_execute_for_tests(
        &path,
        "UPDATE meta SET value = '1' WHERE key = 'schema_version'"
    )
    .is_ok());
    let c = Catalogue::open(&path).unwrap();
    assert_eq!(
        c.fingerprint_count().unwrap(),
        0,
        "old rows dropped, to be recomputed"
    );
    assert_eq!(c.decisions().unwrap().len(), 1, "user decisions kept");
    assert_eq!(c.files().unwrap().len(), 1, "file identities kept");
}

/// Version 2 catalogues keep their fingerprints (unchanged since) and lose only the cached pair
/// scores, which gained the inlier cells grouping needs in version 3.
#[test]
fn a_version_2_catalogue_keeps_fingerprints_and_drops_cached_scores() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cat.sqlite");
    let (a, b) = ([5u8; 32], [6u8; 32]);
    let score = CachedScore {
        similarity: 0.9,
        distance: 10,
        orientation: 0,
        verified: true,
        mirrored: false,
        inliers: 40,
        cells_a: 0x0f0f,
        cells_b: 1 << 63,
        cover: Some([1.0, 0.25]),
        scale: Some(0.5),
        rotation_deg: None,
    };
    {
        let mut c = Catalogue::open(&path).unwrap();
        c.batch(|t| {
            t.put_record(&a, &fp(1))?;
            t.put_pair_score(&a, &b, &score)
        })
        .unwrap();
        // The cells survive the round trip bit for bit (the top bit too).
        assert_eq!(c.pair_score(&a, &b).unwrap(), Some(score));
    }
    assert!(rusqlite_free_update(
        &path,
        "UPDATE meta SET value = '2' WHERE key = 'schema_version'"
    ));
    let c = Catalogue::open(&path).unwrap();
    assert_eq!(c.fingerprint_count().unwrap(), 1, "fingerprints kept");
    assert_eq!(c.pair_score(&a, &b).unwrap(), None, "cached scores dropped");
}
