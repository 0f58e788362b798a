//! Subcommands. Each file parses its own options and calls into the library; no
//! analysis logic lives here.

mod annotate;
mod common;
mod eval;
mod segment;
mod train;

use clap::{Parser, Subcommand};

/// Claim and stance analysis of news: sentences, entities, who says what, and whether
/// each statement condemns, endorses or is neutral toward its target.
#[derive(Parser, Debug)]
#[command(name = "stancer", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Annotate(annotate::Args),
    Segment(segment::Args),
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    #[command(subcommand)]
    Train(train::TrainCommand),
}

/// Runs a subcommand and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Annotate(args) => annotate::run(args),
        Command::Segment(args) => segment::run(args),
        Command::Eval(cmd) => eval::run(cmd),
        Command::Train(cmd) => train::run(cmd),
    }
}
