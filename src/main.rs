//! The `stancer` command line: a thin layer that parses options and calls the library.
//! Each subcommand lives in its own file under `cli/`, starting with its usage text.

mod cli;

use clap::Parser;

fn main() {
    restore_sigpipe();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("stancer: error: {err:#}");
            std::process::exit(2);
        }
    }
}

/// Rust ignores SIGPIPE, so printing a report into a pipe that closed early
/// (`stancer eval sbd ... | head`) panicked. With the default action the process ends
/// quietly, as other Unix tools do. Output files are written atomically and are not
/// affected.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: sets a signal disposition before any other thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
