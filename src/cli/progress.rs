//! The one progress bar of the CLI: on standard error, and only when it is a terminal (a
//! redirected or piped run prints no bar, so logs and JSON stay clean).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar labelled `what` (padded to 11 columns, so stage names line up) counting to `total`
/// (which may be 0 and set later with `set_length`), or a spinner with the elapsed time when
/// there is no total (`None`). Hidden unless standard error is a terminal.
pub fn bar(total: Option<u64>, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
    let eta = pairproof::i18n::t(super::lang::get(), "cli.progress.eta", &[]);
    let template = if total.is_some() {
        format!("{{spinner}} {what:<11} {{bar:40}} {{pos}}/{{len}} ({{per_sec}}, {eta} {{eta}})")
    } else {
        format!("{{spinner}} {what:<11} {{elapsed}}")
    };
    pb.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

/// A scan stage's label (`walk`, `fingerprint`, `match`) in the reader's language.
pub fn stage(name: &str) -> String {
    let key = format!("cli.progress.{name}");
    if pairproof::i18n::has(&key) {
        pairproof::i18n::t(super::lang::get(), &key, &[])
    } else {
        name.to_string()
    }
}
