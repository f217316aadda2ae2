//! The `pairproof` binary: parse, call the library, print. No logic of its own.
#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
