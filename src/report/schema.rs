//! Every JSON document pairproof writes, by schema name and major version: the one table.
//! Each module that shapes a document names its schema from here; `docs/schemas.md` documents
//! each (tests/schemas_doc.rs checks that the two agree, both ways).

pub const CHECK: &str = "pairproof.check/1";
pub const CHECK_SUMMARY: &str = "pairproof.check-summary/2";
pub const LINT: &str = "pairproof.lint/1";
pub const STRIP: &str = "pairproof.strip/1";
pub const FIX: &str = "pairproof.fix/1";
pub const HASH: &str = "pairproof.hash/1";
pub const COMPARE: &str = "pairproof.compare/1";
pub const SCAN: &str = "pairproof.scan/3";
pub const SCAN_GROUP: &str = "pairproof.scan-group/3";
pub const SCAN_PROBLEM: &str = "pairproof.scan-problem/1";
pub const SCAN_SUMMARY: &str = "pairproof.scan-summary/1";
pub const MATCH: &str = "pairproof.match/1";
pub const REFERENCES: &str = "pairproof.references/1";
pub const DECISIONS: &str = "pairproof.decisions/1";
pub const FINGERPRINTS: &str = "pairproof.fingerprints/1";
pub const SHARD: &str = "pairproof.shard/1";
pub const EXPORT: &str = "pairproof.export/1";
pub const IMPORT: &str = "pairproof.import/1";
pub const CATALOGUE_REBUILD: &str = "pairproof.catalogue-rebuild/1";
pub const EVIDENCE: &str = "pairproof.evidence/1";
pub const VERIFY: &str = "pairproof.verify/1";
pub const SERVE_INFO: &str = "pairproof.serve-info/1";
pub const SERVE_CHECK: &str = "pairproof.serve-check/1";
pub const SERVE_BATCH: &str = "pairproof.serve-batch/1";
pub const SERVE_FIX: &str = "pairproof.serve-fix/1";
pub const SERVE_ERROR: &str = "pairproof.serve-error/1";

/// Every schema above.
pub const ALL: &[&str] = &[
    CHECK,
    CHECK_SUMMARY,
    LINT,
    STRIP,
    FIX,
    HASH,
    COMPARE,
    SCAN,
    SCAN_GROUP,
    SCAN_PROBLEM,
    SCAN_SUMMARY,
    MATCH,
    REFERENCES,
    DECISIONS,
    FINGERPRINTS,
    SHARD,
    EXPORT,
    IMPORT,
    CATALOGUE_REBUILD,
    EVIDENCE,
    VERIFY,
    SERVE_INFO,
    SERVE_CHECK,
    SERVE_BATCH,
    SERVE_FIX,
    SERVE_ERROR,
];
