//! `stancer eval sbd --gold FILE [--join paragraphs|spaces] [--show-failures]`
//!
//! Scores the sentence splitter against gold sentence boundaries (JSON Lines with
//! `text` and `sentences`, or CoNLL-U) and prints exact-span precision, recall and F1
//! and the number of cases split exactly right.

use std::path::PathBuf;

use clap::Subcommand;
use stancer::eval::sbd::{self, Join};
use stancer::segment::RuleSplitter;

#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Sentence boundaries against gold (JSON Lines or CoNLL-U).
    Sbd(SbdArgs),
}

#[derive(clap::Args, Debug)]
pub struct SbdArgs {
    /// Gold file: .jsonl with `text` and `sentences`, or .conllu.
    #[arg(long)]
    gold: PathBuf,
    /// How CoNLL-U sentences are joined back into documents.
    #[arg(long, value_enum, default_value = "paragraphs")]
    join: Join,
    /// Print each case that was not split exactly right.
    #[arg(long)]
    show_failures: bool,
}

pub fn run(cmd: EvalCommand) -> anyhow::Result<i32> {
    match cmd {
        EvalCommand::Sbd(args) => run_sbd(args),
    }
}

fn run_sbd(args: SbdArgs) -> anyhow::Result<i32> {
    let cases = sbd::read_gold(&args.gold, args.join)?;
    let score = sbd::evaluate(&RuleSplitter, &cases);
    if args.show_failures {
        print_failures(&cases, &score.failed);
    }
    println!("gold: {}", args.gold.display());
    println!("cases exactly right: {} of {}", score.cases_exact, score.cases);
    let m = score.spans;
    println!("sentences: gold {}, predicted {}, exact matches {}", m.gold, m.predicted, m.tp);
    println!("exact-span precision {:.4} recall {:.4} F1 {:.4}", m.precision(), m.recall(), m.f1());
    Ok(0)
}

fn print_failures(cases: &[sbd::GoldCase], failed: &[String]) {
    use stancer::segment::SentenceSplitter;
    for case in cases.iter().filter(|c| failed.contains(&c.id)) {
        let chars: Vec<char> = case.text.chars().collect();
        let show = |spans: &[stancer::doc::Span]| -> Vec<String> {
            spans.iter().map(|s| chars[s.start..s.end].iter().collect()).collect()
        };
        println!("case {}", case.id);
        println!("  gold:      {:?}", show(&case.sentences));
        println!("  predicted: {:?}", show(&RuleSplitter.split(&case.text)));
    }
}
