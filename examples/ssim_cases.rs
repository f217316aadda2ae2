//! Write the SSIM test cases as PNG pairs for the scikit-image oracle:
//! `cargo run --release --example ssim_cases -- /tmp/ssim-cases`
//! then `python tests/oracle/ssim_oracle.py /tmp/ssim-cases > tests/golden/ssim.json`.
#[path = "../tests/common/cases.rs"]
mod cases;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/ssim-cases".into());
    std::fs::create_dir_all(&dir).expect("create output dir");
    for (name, a, b) in cases::ssim_cases() {
        a.save(format!("{dir}/{name}__a.png")).expect("write");
        b.save(format!("{dir}/{name}__b.png")).expect("write");
    }
    eprintln!("wrote {} pairs to {dir}", cases::ssim_cases().len());
}
