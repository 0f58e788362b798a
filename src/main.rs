//! The `stancer` command line: a thin layer that parses options and calls the library.
//! Each subcommand lives in its own file under `cli/`, starting with its usage text.

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("stancer: error: {err:#}");
            std::process::exit(2);
        }
    }
}
