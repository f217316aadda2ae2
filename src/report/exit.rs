//! The one exit rule of every command (README, "Exit codes"): **2** when an input could not be
//! read or used (a usage or input error), else **1** when a rule failed or copies were found,
//! else **0**. Commands say what happened; only this module turns it into a number.

/// Nothing failed and nothing was found.
pub const OK: u8 = 0;
/// A rule failed, or copies were found.
pub const FOUND: u8 = 1;
/// A usage or input error: something could not be read, decoded, written or used.
pub const ERROR: u8 = 2;

/// The exit code for what a command saw: `found` (a rule failed, copies were found, a check
/// of a bundle failed) and `errored` (some input could not be used). An error outranks a
/// finding: a batch with one unreadable file exits 2 even if other pairs failed.
pub fn code(found: bool, errored: bool) -> u8 {
    if errored {
        ERROR
    } else if found {
        FOUND
    } else {
        OK
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_error_outranks_a_finding() {
        assert_eq!(super::code(false, false), 0);
        assert_eq!(super::code(true, false), 1);
        assert_eq!(super::code(true, true), 2);
        assert_eq!(super::code(false, true), 2);
    }
}
