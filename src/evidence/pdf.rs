//! The report as a PDF, for appeal forms that take only PDF: headless Chromium prints the
//! bundle's own `report.html`.
//!
//! Why Chromium: the report is HTML with CSS, inline SVG and embedded pictures in two scripts
//! (Latin and CJK); a browser's print engine lays it out exactly as a reviewer sees it, where a
//! PDF crate would need a second layout of the same report. Chromium is not a build dependency:
//! it is looked up at run time (`$PAIRPROOF_CHROMIUM`, else `chromium`, `chromium-browser`,
//! `google-chrome` on `PATH`), and a machine without it gets `E_OUTPUT` naming the PDF and what to
//! install. The page is self-contained, so Chromium runs with networking off and a throw-away
//! profile; it is stopped after [`TIMEOUT`].

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::metadata::{write_atomically, write_atomically_new};

/// Longest a print may take (a report of a dozen suspects prints in 1–3 s).
const TIMEOUT: Duration = Duration::from_secs(90);

/// The browsers tried, in order, when `$PAIRPROOF_CHROMIUM` is not set.
const BROWSERS: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

fn output_error(out: &Path, detail: impl Into<String>) -> Error {
    Error::Output {
        path: out.to_path_buf(),
        detail: detail.into(),
    }
}

/// The browser to print with.
fn browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PAIRPROOF_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    BROWSERS.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// Print `html` (a self-contained page) to a PDF at `out`: written atomically, and never over
/// an existing file unless `replace`.
pub fn write_pdf(html: &str, out: &Path, replace: bool) -> Result<(), Error> {
    if !replace && out.exists() {
        return Err(crate::metadata::exists_error(out));
    }
    let Some(exe) = browser() else {
        return Err(output_error(
            out,
            "no Chromium to print the PDF with: install chromium (Debian: apt install chromium) or set PAIRPROOF_CHROMIUM to a Chrome/Chromium binary",
        ));
    };
    let work = tempfile::Builder::new()
        .prefix("pairproof-pdf-")
        .tempdir()
        .map_err(|e| output_error(out, format!("cannot make a temporary folder: {e}")))?;
    let page = work.path().join("report.html");
    let printed = work.path().join("report.pdf");
    std::fs::write(&page, html)
        .map_err(|e| output_error(out, format!("cannot write the page to print: {e}")))?;
    print(&exe, &page, &printed, work.path()).map_err(|d| output_error(out, d))?;
    let bytes = std::fs::read(&printed)
        .map_err(|e| output_error(out, format!("Chromium wrote no PDF: {e}")))?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(output_error(out, "Chromium's output is not a PDF"));
    }
    if replace {
        write_atomically(out, &bytes)
    } else {
        write_atomically_new(out, &bytes)
    }
}

/// Run the browser's print-to-PDF on `page`; the error is what to tell the user.
fn print(exe: &Path, page: &Path, pdf: &Path, profile: &Path) -> Result<(), String> {
    let mut child = Command::new(exe)
        .args([
            "--headless",
            // Root in a container cannot use Chromium's sandbox; the page is our own report,
            // printed with networking off.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(url_of(page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                let mut err = String::new();
                if let Some(mut s) = child.stderr.take() {
                    use std::io::Read;
                    let _ = s.read_to_string(&mut err);
                }
                let last = err.lines().last().unwrap_or_default().to_string();
                return Err(format!("{} failed ({status}): {last}", exe.display()));
            }
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{} did not finish printing within {} s",
                    exe.display(),
                    TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("cannot wait for {}: {e}", exe.display())),
        }
    }
}

/// A `file://` URL for a local path (percent-encoding what a URL cannot hold as it is).
fn url_of(p: &Path) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    format!(
        "file://{}",
        percent_encoding::utf8_percent_encode(&p.to_string_lossy(), KEEP)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_escape_what_they_cannot_hold() {
        assert_eq!(
            url_of(Path::new("/tmp/a b/报告.html")),
            "file:///tmp/a%20b/%E6%8A%A5%E5%91%8A.html"
        );
    }

    #[test]
    fn a_missing_browser_is_an_output_error_naming_the_pdf() {
        // A browser that does not exist: the error names the PDF and the program.
        let out = std::env::temp_dir().join("pairproof-no-browser.pdf");
        let e = print(
            Path::new("/nonexistent/chromium"),
            Path::new("/tmp/x.html"),
            &out,
            Path::new("/tmp"),
        )
        .unwrap_err();
        assert!(e.contains("cannot start /nonexistent/chromium"), "{e}");
    }
}
