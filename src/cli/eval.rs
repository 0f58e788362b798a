//! `stancer eval sbd --gold FILE [--join paragraphs|spaces] [--show-failures]`
//! `stancer eval stance --gold GOLD (--pred OUT.csv | --docs DOCS...) [--json] [--errors FILE]`
//! `stancer eval ner (--gold FILE.conll --model DIR [--write-pred OUT] | --pred FILE) [--json]`
//!
//! `ner` scores entities exactly as conlleval does: either a model run on the gold
//! tokens of a CoNLL file (`--gold`, with `--write-pred` writing `token gold predicted`
//! lines), or a finished column file whose last two columns are the gold and the
//! predicted tag (`--pred`).
//!
//! `sbd` scores the sentence splitter against gold sentence boundaries (JSON Lines with
//! `text` and `sentences`, or CoNLL-U): exact-span precision, recall and F1, and the
//! number of cases split exactly right.
//!
//! `stance` scores stance labels against gold sentences (`formats.md`), either from a
//! finished `annotate` run (`--pred`) or by running the pipeline on the documents
//! (`--docs`): per-class scores, macro-F1, accuracy, kappa, confusion matrix, bootstrap
//! intervals, holder/target/cue matches, and optionally a CSV of the mistakes.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Subcommand;
use stancer::eval::sbd::{self, Join};
use stancer::eval::stance;
use stancer::segment::RuleSplitter;

#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Sentence boundaries against gold (JSON Lines or CoNLL-U).
    Sbd(SbdArgs),
    /// Stance labels, holders, targets and cues against gold sentences.
    Stance(StanceArgs),
    /// Named entities, conlleval-style, from a `token ... gold predicted` file.
    Ner(NerArgs),
}

#[derive(clap::Args, Debug)]
pub struct NerArgs {
    /// Column file: token first, gold tag and predicted tag last (IOB1 or IOB2).
    #[arg(long, conflicts_with = "gold", required_unless_present = "gold")]
    pred: Option<PathBuf>,
    /// Gold CoNLL file (token first, gold tag last) to run the model on.
    #[arg(long, requires = "model")]
    gold: Option<PathBuf>,
    /// NER model folder.
    #[arg(long)]
    model: Option<PathBuf>,
    /// With --gold: write `token gold predicted` lines here.
    #[arg(long)]
    write_pred: Option<PathBuf>,
    /// Sentences per batch when running the model.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Torch threads when running the model.
    #[arg(long, default_value_t = 2)]
    threads: i32,
    /// Arithmetic of the model's matrix products, as in `annotate`.
    #[arg(long, value_enum, default_value = "auto")]
    precision: super::common::Precision,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args, Debug)]
pub struct StanceArgs {
    /// Gold sentences: JSON Lines or CSV with doc_id, start, end, stance [, holder, target, cue].
    #[arg(long)]
    gold: PathBuf,
    /// A finished annotate run (CSV) to score.
    #[arg(long, conflicts_with = "docs", required_unless_present = "docs")]
    pred: Option<PathBuf>,
    /// Documents to annotate and score (any input format of annotate).
    #[arg(long, num_args = 1..)]
    docs: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Write the sentences where the label differs to this CSV.
    #[arg(long)]
    errors: Option<PathBuf>,
    /// Models for --docs (as for annotate).
    #[command(flatten)]
    models: super::annotate::NerOptions,
    /// With --docs: arithmetic of the models' matrix products, as in `annotate`.
    #[arg(long, value_enum, default_value = "auto")]
    precision: super::common::Precision,
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
        EvalCommand::Stance(args) => run_stance(args),
        EvalCommand::Ner(args) => run_ner(args),
    }
}

fn run_sbd(args: SbdArgs) -> anyhow::Result<i32> {
    let cases = sbd::read_gold(&args.gold, args.join)?;
    let started = std::time::Instant::now();
    let score = sbd::evaluate(&RuleSplitter, &cases);
    let secs = started.elapsed().as_secs_f64();
    if args.show_failures {
        print_failures(&cases, &score.failed);
    }
    println!("gold: {}", args.gold.display());
    println!("cases exactly right: {} of {}", score.cases_exact, score.cases);
    let m = score.spans;
    println!("sentences: gold {}, predicted {}, exact matches {}", m.gold, m.predicted, m.tp);
    println!("exact-span precision {:.4} recall {:.4} F1 {:.4}", m.precision(), m.recall(), m.f1());
    println!("speed: {:.0} sentences/s (splitting and scoring, one thread)", m.predicted as f64 / secs.max(1e-9));
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

fn run_stance(args: StanceArgs) -> anyhow::Result<i32> {
    let gold = stance::read_labelled(&args.gold)?;
    let predicted = match &args.pred {
        Some(path) => stance::read_labelled(path)?,
        None => {
            let (predicted, lengths) = predict(&args.docs, &args.models, args.precision.bf16())?;
            stance::check_gold_documents(&gold, |id| lengths.get(id).copied())?;
            predicted
        }
    };
    let missing = stance::unpredicted_documents(&gold, &predicted);
    if !missing.is_empty() {
        let shown = missing.iter().take(5).map(|d| format!("{d:?}")).collect::<Vec<_>>().join(", ");
        eprintln!("warning: {} gold document(s) have no predicted sentence and are scored as all neutral: {shown}", missing.len());
    }
    let pairs = stance::match_sentences(&gold, &predicted);
    let report = stance::report(&pairs);
    if let Some(path) = &args.errors {
        write_mistakes(path, &pairs)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_stance(&report);
    }
    Ok(0)
}

/// Runs the annotate pipeline in memory and returns its sentences as predictions, with
/// each document's length in code points (to check the gold against).
fn predict(inputs: &[String], models: &super::annotate::NerOptions, bf16: bool) -> anyhow::Result<(Vec<stance::Labelled>, HashMap<String, usize>)> {
    let read = stancer::read::read_inputs(inputs, &Default::default());
    if let Some(e) = read.errors.first() {
        anyhow::bail!("cannot read the documents: {e}");
    }
    let ner = models.model_dir()?;
    let mut pipelines = [super::annotate::pipeline(ner.as_deref(), models.stance_dir(ner.as_deref())?.as_deref(), bf16)?];
    let docs = stancer::pipeline::run(read.documents, 16, &mut pipelines, &|_| {})?;
    let lengths = docs.iter().map(|d| (d.doc.id.clone(), d.doc.char_len())).collect();
    let mut out = Vec::new();
    for doc in &docs {
        for (i, s) in doc.sentences.iter().enumerate() {
            let cells = stancer::write::annotated_cells(doc, i, s);
            let Some(label) = stancer::doc::Label::parse(&cells[5]) else { continue };
            let (holder, target, cue) = (cells[10].clone(), cells[13].clone(), cells[16].clone());
            let probs = s.stance.as_ref().map(|st| st.probs);
            out.push(stance::Labelled { doc_id: doc.doc.id.clone(), span: s.span, text: cells[4].clone(), label, holder, target, cue, probs });
        }
    }
    Ok((out, lengths))
}

fn write_mistakes(path: &std::path::Path, pairs: &[stance::Pair]) -> anyhow::Result<()> {
    stancer::write::atomic_write(path, |out| {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
        w.write_record(["doc_id", "start", "end", "text", "gold", "predicted", "gold_holder", "pred_holder", "gold_target", "pred_target", "gold_cue", "pred_cue"])?;
        for p in pairs.iter().filter(|p| p.gold.label != p.predicted_label()) {
            let g = &p.gold;
            let empty = stance::Labelled { text: String::new(), holder: String::new(), target: String::new(), cue: String::new(), ..g.clone() };
            let pr = p.pred.as_ref().unwrap_or(&empty);
            let text = if g.text.is_empty() { &pr.text } else { &g.text };
            let (start, end) = (g.span.start.to_string(), g.span.end.to_string());
            w.write_record([&g.doc_id, &start, &end, text, g.label.as_str(), p.predicted_label().as_str(), &g.holder, &pr.holder, &g.target, &pr.target, &g.cue, &pr.cue])?;
        }
        w.flush()?;
        Ok(())
    })
}

fn print_stance(r: &stance::StanceReport) {
    println!("gold sentences: {} ({} without an overlapping prediction, scored as neutral)", r.sentences, r.unmatched);
    println!("{:<8} {:>9} {:>7} {:>7} {:>8}", "label", "precision", "recall", "F1", "support");
    for c in &r.per_class {
        println!("{:<8} {:>9.3} {:>7.3} {:>7.3} {:>8}", c.label, c.precision, c.recall, c.f1, c.support);
    }
    let unit = r.bootstrap_unit.plural();
    println!("macro-F1 {:.3} (95% CI {:.3} to {:.3}, resampling {unit})", r.macro_f1, r.macro_f1_ci95.low, r.macro_f1_ci95.high);
    println!("accuracy {:.3} (95% CI {:.3} to {:.3}, resampling {unit})", r.accuracy, r.accuracy_ci95.low, r.accuracy_ci95.high);
    println!("Cohen's kappa {:.3}", r.kappa);
    if let Some(ece) = r.ece {
        println!("expected calibration error {ece:.3} (15 bins)");
    }
    println!("confusion (rows gold, columns predicted: condemn endorse neutral)");
    for (label, row) in ["condemn", "endorse", "neutral"].iter().zip(r.confusion) {
        println!("  {label:<8} {:>5} {:>5} {:>5}", row[0], row[1], row[2]);
    }
    for (name, m) in [("holder", &r.holder), ("target", &r.target), ("cue", &r.cue)] {
        println!(
            "{name:<6} on {} gold condemn/endorse sentences: exact {:.3}, overlap {:.3}; overlap {:.3} on the {} also predicted condemn/endorse",
            m.gold, m.exact, m.overlap, m.overlap_when_predicted, m.predicted_stance
        );
    }
}

fn run_ner(args: NerArgs) -> anyhow::Result<i32> {
    let r = match (&args.pred, &args.gold, &args.model) {
        (Some(pred), _, _) => stancer::eval::ner::score_file(pred)?,
        (None, Some(gold), Some(model)) => run_ner_model(gold, model, &args)?,
        _ => anyhow::bail!("give --pred FILE, or --gold FILE with --model DIR"),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(0);
    }
    println!(
        "processed {} tokens with {} gold entities; found: {}; correct: {}.",
        r.tokens, r.gold_entities, r.predicted_entities, r.correct_entities
    );
    println!(
        "accuracy: {:6.2}%; precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}",
        100.0 * r.token_accuracy,
        100.0 * r.precision,
        100.0 * r.recall,
        100.0 * r.f1
    );
    for t in &r.per_type {
        println!(
            "{:>17}: precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}  {}",
            t.kind,
            100.0 * t.precision,
            100.0 * t.recall,
            100.0 * t.f1,
            t.predicted
        );
    }
    Ok(0)
}

/// Tags the gold tokens with the model and scores them; timing goes to stderr.
fn run_ner_model(gold: &std::path::Path, model_dir: &std::path::Path, args: &NerArgs) -> anyhow::Result<stancer::eval::ner::NerReport> {
    use stancer::ner::{encode::WordEncoder, model::TokenClassifier, tags, train};
    tch::set_num_threads(args.threads);
    let corpus = train::read_corpus(gold)?;
    let mut model = TokenClassifier::load(model_dir, tch::Device::Cpu)?;
    if args.precision.bf16() {
        model.use_bf16();
    }
    let encoder = WordEncoder::from_vocab(&model_dir.join("vocab.txt"), stancer::ner::stage::lower_case(model_dir), 128)?;
    let started = std::time::Instant::now();
    let predicted = train::predict_tags(&model, &encoder, &corpus.words, args.batch_size)?;
    let secs = started.elapsed().as_secs_f64();
    let n_tokens: usize = corpus.words.iter().map(Vec::len).sum();
    eprintln!("tagged {} sentences, {n_tokens} tokens in {secs:.2} s ({:.0} tokens/s)", corpus.words.len(), n_tokens as f64 / secs);
    // Predictions follow the gold file's scheme, so that token accuracy compares like
    // with like (entity scores are the same either way).
    let iob1 = corpus.tags.iter().any(|t| tags::is_iob1(t));
    let convert = |s: Vec<String>| if iob1 { tags::to_iob1(&s) } else { tags::repair(&s) };
    let tags: Vec<Vec<String>> = predicted.into_iter().map(|s| convert(s.into_iter().map(|(t, _)| t).collect())).collect();
    if let Some(path) = &args.write_pred {
        stancer::write::atomic_write(path, |out| {
            for ((words, gold), pred) in corpus.words.iter().zip(&corpus.tags).zip(&tags) {
                for ((w, g), p) in words.iter().zip(gold).zip(pred) {
                    writeln!(out, "{w} {g} {p}")?;
                }
                writeln!(out)?;
            }
            Ok(())
        })?;
    }
    stancer::eval::ner::score(&corpus.tags, &tags)
}
