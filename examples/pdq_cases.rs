//! Write the PDQ exact-tier cases as PNGs for the `pdqhash` oracle:
//! `cargo run --release --example pdq_cases -- /tmp/pdq-cases`
//! then `python tests/oracle/pdq_oracle.py /tmp/pdq-cases > tests/golden/pdq.json`.
#[path = "../tests/common/cases.rs"]
mod cases;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/pdq-cases".into());
    std::fs::create_dir_all(&dir).expect("create output dir");
    for (name, img) in cases::pdq_cases() {
        img.save(format!("{dir}/{name}.png")).expect("write");
    }
}
