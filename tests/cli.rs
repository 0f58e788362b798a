//! End-to-end tests of the `stancer` binary on the fixtures in `tests/fixtures`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs stancer; `annotate` runs without NER unless the test names a model.
fn stancer(args: &[&str]) -> Output {
    let mut args: Vec<&str> = args.to_vec();
    if args[0] == "annotate" && !args.contains(&"--ner-model") {
        args.push("--no-ner");
    }
    Command::new(env!("CARGO_BIN_EXE_stancer")).args(args).output().expect("stancer runs")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
}

/// Python-style slicing by code points.
fn slice(text: &str, start: &str, end: &str) -> String {
    let (s, e): (usize, usize) = (start.parse().unwrap(), end.parse().unwrap());
    text.chars().skip(s).take(e - s).collect()
}

#[test]
fn annotate_writes_the_documented_columns_with_code_point_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let run = stancer(&["annotate", &fixture("articles"), "-o", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let (header, rows) = read_csv(&out);
    assert_eq!(header, stancer::write::ANNOTATED_COLUMNS);
    let ids: std::collections::BTreeSet<_> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["port-deal", "world/strike"]);
    let text = std::fs::read_to_string(fixtures().join("articles/port-deal.txt")).unwrap();
    for row in rows.iter().filter(|r| r[0] == "port-deal") {
        assert_eq!(slice(&text, &row[2], &row[3]), row[4]);
        for name in ["holder", "target", "cue", "claim"] {
            let (c, s, e) = (column(&header, name), column(&header, &format!("{name}_start")), column(&header, &format!("{name}_end")));
            if !row[s].is_empty() {
                assert_eq!(slice(&text, &row[s], &row[e]), row[c], "{name} offsets");
            }
        }
    }
    let condemn = rows.iter().find(|r| r[4].starts_with("Local fishermen")).unwrap();
    assert_eq!(condemn[column(&header, "stance")], "condemn");
    assert_eq!(condemn[column(&header, "holder")], "Local fishermen");
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["documents"], 2);
    assert_eq!(manifest["models"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(manifest["inputs"][0]["documents"], 2);
}

#[test]
fn output_is_byte_identical_for_any_thread_count_and_batch_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for (threads, batch) in [("1", "16"), ("2", "1"), ("2", "3")] {
        let out = dir.path().join(format!("out-{threads}-{batch}.csv"));
        let args = ["annotate", &fixture("articles"), &fixture("docs.jsonl"), "-o", out.to_str().unwrap(), "--threads", threads, "--batch-size", batch];
        assert!(stancer(&args).status.success());
        outputs.push(std::fs::read(&out).unwrap());
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn jsonl_metadata_becomes_columns_and_formulas_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    assert!(stancer(&["annotate", &fixture("docs.jsonl"), "-o", out.to_str().unwrap()]).status.success());
    let (header, rows) = read_csv(&out);
    assert_eq!(&header[header.len() - 2..], ["outlet", "date"]);
    let a2 = rows.iter().find(|r| r[0] == "a2").unwrap();
    assert_eq!(a2[column(&header, "outlet")], "'=Evening Post");
    assert_eq!(a2[column(&header, "stance")], "condemn");
}

#[test]
fn csv_input_with_text_column_and_row_ids() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("seg.csv");
    let run = stancer(&["segment", &fixture("docs.csv"), "--text-col", "body", "-o", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let (header, rows) = read_csv(&out);
    assert_eq!(header, ["doc_id", "sent_idx", "start", "end", "text", "outlet"]);
    assert_eq!(rows[0], ["1", "0", "0", "29", "The council praised the plan.", "Daily Wire"]);
    assert_eq!(rows[1][..2], ["1", "1"]);
    assert_eq!(rows[2][0], "2");
}

#[test]
fn standard_input_and_jsonl_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(["annotate", "-", "--format", "jsonl", "--no-ner", "-o", out.to_str().unwrap()])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), br#"{"id": "s", "text": "Unions hailed the deal."}"#).unwrap();
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    let line: serde_json::Value = serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
    assert_eq!(line["doc_id"], "s");
    assert_eq!(line["stance"], "endorse");
    assert_eq!(line["end"], 23);
}

/// Runs annotate on good inputs plus one bad input; returns (status, errors report).
fn with_bad_input(bad: &Path, extra: &[&str], keep_going: bool) -> (Output, PathBuf, String) {
    let dir = bad.parent().unwrap();
    let out = dir.join("out.csv");
    let mut args = vec!["annotate", bad.to_str().unwrap()];
    let good = fixture("docs.jsonl");
    args.push(&good);
    args.extend_from_slice(extra);
    args.extend(["-o", out.to_str().unwrap()]);
    if keep_going {
        args.push("--keep-going");
    }
    let run = stancer(&args);
    let report = std::fs::read_to_string(dir.join("out.errors.csv")).unwrap_or_default();
    (run, out, report)
}

fn check_bad_input(name: &str, content: &[u8], extra: &[&str], expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join(name);
    std::fs::write(&bad, content).unwrap();
    let (run, out, report) = with_bad_input(&bad, extra, false);
    assert_eq!(run.status.code(), Some(1), "{name}: exit code");
    assert!(!out.exists(), "{name}: no output without --keep-going");
    assert!(report.contains(name), "{name}: report {report:?} names the input");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains(expect), "{name}: {stderr:?} lacks {expect:?}");

    let (run, out, report) = with_bad_input(&bad, extra, true);
    assert!(run.status.success(), "{name}: --keep-going exits 0");
    let (_, rows) = read_csv(&out);
    assert!(rows.iter().any(|r| r[0] == "a1") && rows.iter().any(|r| r[0] == "a2"), "{name}: good documents written");
    assert_eq!(report.lines().count(), 2, "{name}: one error row");
}

#[test]
fn invalid_utf8_names_the_document() {
    check_bad_input("broken.txt", b"Caf\xe9 owners protested.", &[], "broken");
    check_bad_input("broken.txt", b"Caf\xe9 owners protested.", &[], "invalid UTF-8");
}

#[test]
fn empty_document_is_an_error() {
    check_bad_input("blank.txt", b"  \n\n", &[], "empty document");
}

#[test]
fn malformed_json_line_names_the_line() {
    check_bad_input("more.jsonl", b"{\"id\": \"z\", \"text\": \"Fine.\"}\n{\"id\": \"y\", \"text\": \n", &[], "malformed JSON line");
    check_bad_input("more.jsonl", b"{\"id\": \"z\", \"text\": \"Fine.\"}\n{\"id\": \"y\", \"text\": \n", &[], "more.jsonl:2");
}

#[test]
fn unknown_csv_column_is_reported() {
    check_bad_input("table.csv", b"id,body\n1,Fine.\n", &["--text-col", "content"], "unknown text column \"content\"");
}

#[test]
fn missing_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.txt");
    let (run, _, report) = with_bad_input(&missing, &[], false);
    assert_eq!(run.status.code(), Some(1));
    assert!(report.contains("nowhere.txt") && report.contains("no such file"));
}

#[test]
fn entities_file_has_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let ents = dir.path().join("ents.csv");
    let run = stancer(&["annotate", &fixture("docs.jsonl"), "-o", out.to_str().unwrap(), "--entities", ents.to_str().unwrap()]);
    assert!(run.status.success());
    let (header, _) = read_csv(&ents);
    assert_eq!(header, stancer::write::ENTITY_COLUMNS);
}

#[test]
fn sentence_rules_fixture_is_split_exactly() {
    let run = stancer(&["eval", "sbd", "--gold", &fixture("sbd_cases.jsonl")]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("cases exactly right: 48 of 48"), "{stdout}");
}

/// Gold that names a document the run does not have is an error with `--docs` (the
/// files do not belong together) and a warning with `--pred` (the run may have failed
/// on it).
#[test]
fn gold_for_missing_documents_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs.jsonl");
    std::fs::write(&docs, "{\"id\": \"a\", \"text\": \"Unions hailed the deal.\"}\n").unwrap();
    let gold = dir.path().join("gold.jsonl");
    std::fs::write(&gold, "{\"doc_id\": \"a\", \"start\": 0, \"end\": 23, \"stance\": \"endorse\"}\n{\"doc_id\": \"zz\", \"start\": 0, \"end\": 4, \"stance\": \"condemn\"}\n").unwrap();
    let (docs_s, gold_s) = (docs.to_str().unwrap(), gold.to_str().unwrap());
    let run = stancer(&["eval", "stance", "--gold", gold_s, "--docs", docs_s, "--no-ner"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("document \"zz\" is not among the documents"));
    let pred = dir.path().join("pred.csv");
    assert!(stancer(&["annotate", docs_s, "-o", pred.to_str().unwrap()]).status.success());
    let run = stancer(&["eval", "stance", "--gold", gold_s, "--pred", pred.to_str().unwrap()]);
    assert!(run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("1 gold document(s) have no predicted sentence"));
    assert!(String::from_utf8_lossy(&run.stdout).contains("gold sentences: 2 (1 without an overlapping prediction"));
}

/// A reader that stops early (`| head`) ends the report quietly, without a panic.
#[test]
fn closed_stdout_pipe_is_not_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stancer"))
        .args(["eval", "sbd", "--gold", &fixture("sbd_cases.jsonl")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let run = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// pySBD's golden rules, read from ../shared when it is there (the data stays out of
/// the repository). pySBD passes 47 of the 48.
#[test]
fn golden_rules_from_shared_data() {
    let gold = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/sbd/golden_rules_en.jsonl");
    if !gold.exists() {
        eprintln!("skipped: {} is absent", gold.display());
        return;
    }
    let cases = stancer::eval::sbd::read_gold(&gold, stancer::eval::sbd::Join::Paragraphs).unwrap();
    let score = stancer::eval::sbd::evaluate(&stancer::segment::RuleSplitter, &cases);
    assert!(score.cases_exact >= 47, "only {} of 48: failed {:?}", score.cases_exact, score.failed);
}

#[test]
fn eval_ner_scores_a_prediction_file_like_conlleval() {
    let dir = tempfile::tempdir().unwrap();
    let pred = dir.path().join("pred.txt");
    // gold: PER(Anna Lee), LOC(Oslo); predicted: PER right, Oslo as ORG.
    std::fs::write(&pred, "Anna NNP I-PER I-PER\nLee NNP I-PER I-PER\nvisits VBZ O O\nOslo NNP I-LOC I-ORG\n\n").unwrap();
    let run = stancer(&["eval", "ner", "--pred", pred.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("processed 4 tokens with 2 gold entities; found: 2; correct: 1."), "{stdout}");
    assert!(stdout.contains("FB1:  50.00"), "{stdout}");
}

/// A tiny random NER model built here: enough to check the plumbing (offsets, files,
/// determinism), not accuracy.
fn tiny_ner_model(dir: &Path) -> PathBuf {
    tiny_ner_model_with(dir, 3, &[])
}

/// A tiny random NER model with a chosen seed and words added to the vocabulary.
fn tiny_ner_model_with(dir: &Path, seed: i64, extra: &[&str]) -> PathBuf {
    use stancer::ner::model::TokenClassifier;
    let mut words = vec!["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "harbour", "authority", "backed", "plan", ".", ",", "\""];
    words.extend(extra);
    let vocab = dir.join("vocab.txt");
    std::fs::write(&vocab, words.join("\n")).unwrap();
    let config = serde_json::json!({
        "hidden_act": "gelu", "attention_probs_dropout_prob": 0.0, "hidden_dropout_prob": 0.0,
        "hidden_size": 16, "initializer_range": 0.02, "intermediate_size": 32,
        "max_position_embeddings": 64, "num_attention_heads": 2, "num_hidden_layers": 2,
        "type_vocab_size": 2, "vocab_size": words.len()
    });
    tch::manual_seed(seed);
    let labels = ["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC"].map(String::from).to_vec();
    let model = TokenClassifier::new(config, labels, true, tch::Device::Cpu).unwrap();
    let out = dir.join("tiny-ner");
    model.save(&out, &vocab).unwrap();
    out
}

#[test]
fn annotate_with_a_ner_model_fills_entities_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny_ner_model(dir.path());
    for precision in ["bf16", "float32"] {
        let mut outputs = Vec::new();
        for (threads, batch) in [("1", "16"), ("2", "1")] {
            let out = dir.path().join(format!("out-{threads}.csv"));
            let ents = dir.path().join(format!("ents-{threads}.csv"));
            let args = ["annotate", &fixture("articles"), "-o", out.to_str().unwrap(), "--entities", ents.to_str().unwrap(), "--ner-model", model.to_str().unwrap()];
            let run = stancer(&[&args[..], &["--threads", threads, "--batch-size", batch, "--precision", precision][..]].concat());
            assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
            outputs.push((std::fs::read(&out).unwrap(), std::fs::read(&ents).unwrap()));
        }
        assert!(outputs[0] == outputs[1], "1 and 2 threads differ in {precision}");
        let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("out-1.manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["options"]["more"]["precision"], precision);
    }
    let (header, rows) = read_csv(&dir.path().join("ents-1.csv"));
    assert_eq!(header, stancer::write::ENTITY_COLUMNS);
    assert!(!rows.is_empty(), "a random model still tags something");
    let text = std::fs::read_to_string(fixtures().join("articles/port-deal.txt")).unwrap();
    for row in rows.iter().filter(|r| r[0] == "port-deal") {
        let shown = row[4].strip_prefix('\'').filter(|t| t.starts_with(['=', '+', '-', '@'])).unwrap_or(&row[4]);
        assert_eq!(slice(&text, &row[2], &row[3]), shown);
        assert!(["ORG", "LOC"].contains(&row[5].as_str()));
    }
    let manifest = std::fs::read_to_string(dir.path().join("out-1.manifest.json")).unwrap();
    assert!(manifest.contains("ner:tiny-ner"));
}

#[test]
fn missing_ner_model_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let run = stancer(&["annotate", &fixture("docs.jsonl"), "-o", out.to_str().unwrap(), "--ner-model", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("config.json"));
    assert!(!out.exists());
}

#[test]
fn eval_ner_runs_a_model_on_gold_tokens_and_writes_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let model = tiny_ner_model(dir.path());
    let gold = dir.path().join("gold.conll");
    std::fs::write(&gold, "-DOCSTART- -X- O O\n\nthe DT O O\nharbour NN I-ORG I-ORG\nauthority NN I-ORG I-ORG\n\nthe DT O O\nplan NN O O\n").unwrap();
    let pred = dir.path().join("pred.txt");
    let run = stancer(&["eval", "ner", "--gold", gold.to_str().unwrap(), "--model", model.to_str().unwrap(), "--write-pred", pred.to_str().unwrap(), "--json"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(report["tokens"], 5);
    assert_eq!(report["gold_entities"], 1);
    let written = std::fs::read_to_string(&pred).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 7, "5 tokens and a blank line after each of the 2 sentences: {written:?}");
    assert!(lines[0].starts_with("the O "));
    assert_eq!(lines[3], "");
    // Scoring the written file gives the same figures as the run itself.
    let rescored = stancer(&["eval", "ner", "--pred", pred.to_str().unwrap(), "--json"]);
    let again: serde_json::Value = serde_json::from_slice(&rescored.stdout).unwrap();
    assert_eq!(again["f1"], report["f1"]);
}

/// Documents and gold sentences where one word decides the label: enough for a tiny
/// model to learn, so that training, calibration and the pipeline can be checked.
fn keyword_corpus(dir: &Path, n_docs: usize) -> (PathBuf, PathBuf) {
    let sentences = [("The union condemned the plan.", "condemn", "The union", "condemned"), ("The authority backed the plan.", "endorse", "The authority", "backed"), ("The plan was published.", "neutral", "", "")];
    let (mut docs, mut gold) = (String::new(), String::new());
    for d in 0..n_docs {
        let order: Vec<usize> = (0..3).map(|k| (d + k) % 3).collect();
        let mut text = String::new();
        for &k in &order {
            let (sentence, label, holder, cue) = sentences[k];
            let start = text.chars().count();
            text.push_str(sentence);
            let end = text.chars().count();
            text.push(' ');
            gold.push_str(&serde_json::json!({"doc_id": format!("doc{d}"), "start": start, "end": end, "stance": label, "holder": holder, "target": if holder.is_empty() { "" } else { "the plan" }, "cue": cue}).to_string());
            gold.push('\n');
        }
        docs.push_str(&serde_json::json!({"id": format!("doc{d}"), "text": text.trim_end()}).to_string());
        docs.push('\n');
    }
    let (docs_path, gold_path) = (dir.join("docs.jsonl"), dir.join("gold.jsonl"));
    std::fs::write(&docs_path, docs).unwrap();
    std::fs::write(&gold_path, gold).unwrap();
    (docs_path, gold_path)
}

const CUE_WORDS: [&str; 4] = ["union", "condemned", "was", "published"];

#[test]
fn train_stance_learns_keywords_then_annotates_and_evaluates() {
    let dir = tempfile::tempdir().unwrap();
    let ner = tiny_ner_model_with(dir.path(), 3, &CUE_WORDS);
    let (docs, gold) = keyword_corpus(dir.path(), 40);
    let out = dir.path().join("stance");
    let (ner_s, docs_s, gold_s, out_s) = (ner.to_str().unwrap(), docs.to_str().unwrap(), gold.to_str().unwrap(), out.to_str().unwrap());
    let args = ["train", "stance", "--gold", gold_s, "--docs", docs_s, "--ner-model", ner_s, "-o", out_s, "--tap", "1", "--epochs", "8", "--lr", "3e-3", "--head-lr", "1e-2", "--batch-size", "8", "--average", "2", "--json"];
    let run = stancer(&args);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    // Two runs (seeds 13 and 14), averaged (or the better run, if the mean scores
    // worse on the held-out sentences); their folders are gone.
    assert_eq!(report["members"].as_array().map(Vec::len), Some(2), "{report}");
    assert_eq!(std::fs::read_dir(&out).unwrap().filter(|e| e.as_ref().unwrap().path().is_dir()).count(), 0);
    for member in report["members"].as_array().unwrap() {
        assert!(report["dev"]["macro_f1"].as_f64() >= member["dev"]["macro_f1"].as_f64(), "a run beat the kept model: {report}");
    }
    assert!(report["dev"]["macro_f1"].as_f64().unwrap() > 0.9, "{report}");
    assert!(report["dev"]["holder"]["overlap"].as_f64().unwrap() > 0.9, "{report}");
    assert!(report["dev_ece_after"].as_f64().unwrap() <= report["dev_ece_before"].as_f64().unwrap() + 0.05, "{report}");
    for file in ["config.json", "model.safetensors", "training.json"] {
        assert!(out.join(file).exists(), "{file}");
    }

    // The pipeline: model labels, byte-identical across threads.
    let mut outputs = Vec::new();
    for (threads, batch) in [("1", "16"), ("2", "1")] {
        let csv = dir.path().join(format!("out-{threads}.csv"));
        let run = stancer(&["annotate", docs_s, "-o", csv.to_str().unwrap(), "--ner-model", ner_s, "--stance-model", out_s, "--threads", threads, "--batch-size", batch]);
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        outputs.push(std::fs::read(&csv).unwrap());
    }
    assert!(outputs[0] == outputs[1], "1 and 2 threads differ");
    let eval = stancer(&["eval", "stance", "--gold", gold_s, "--pred", dir.path().join("out-1.csv").to_str().unwrap(), "--json"]);
    let scored: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert!(scored["macro_f1"].as_f64().unwrap() > 0.9, "{scored}");
    // Running the pipeline inside eval gives the same figures as scoring its output.
    let inside = stancer(&["eval", "stance", "--gold", gold_s, "--docs", docs_s, "--ner-model", ner_s, "--stance-model", out_s, "--json"]);
    let inside: serde_json::Value = serde_json::from_slice(&inside.stdout).unwrap();
    assert_eq!(inside["macro_f1"], scored["macro_f1"]);
    assert_eq!(inside["holder"], scored["holder"]);
    let (a, b) = (inside["ece"].as_f64().unwrap(), scored["ece"].as_f64().unwrap());
    assert!((a - b).abs() < 1e-3, "ECE from the run {a} and from its CSV {b}");
    let manifest = std::fs::read_to_string(dir.path().join("out-1.manifest.json")).unwrap();
    assert!(manifest.contains("stance:stance"), "{manifest}");

    // Adapting from the trained model; and a trunk it was not trained on is refused.
    let again = dir.path().join("again");
    let from = ["train", "stance", "--gold", gold_s, "--docs", docs_s, "--ner-model", ner_s, "-o", again.to_str().unwrap(), "--from", out_s, "--epochs", "1"];
    assert!(stancer(&from).status.success());
    // A learning rate that wrecks the model: the start, epoch 0, must be what is kept.
    let wrecked = dir.path().join("wrecked");
    let args = ["train", "stance", "--gold", gold_s, "--docs", docs_s, "--ner-model", ner_s, "-o", wrecked.to_str().unwrap(), "--from", out_s, "--epochs", "1", "--lr", "5", "--head-lr", "50", "--json"];
    let run = stancer(&args);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let kept: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(kept["best_epoch"], 0, "{kept}");
    assert!(kept["epochs"][1]["dev_macro_f1"].as_f64().unwrap() < kept["epochs"][0]["dev_macro_f1"].as_f64().unwrap(), "{kept}");
    assert!(kept["dev"]["macro_f1"].as_f64().unwrap() > 0.9, "{kept}");
    std::fs::create_dir_all(dir.path().join("other")).unwrap();
    let other = tiny_ner_model_with(&dir.path().join("other"), 4, &CUE_WORDS);
    let csv = dir.path().join("never.csv");
    let run = stancer(&["annotate", docs_s, "-o", csv.to_str().unwrap(), "--ner-model", other.to_str().unwrap(), "--stance-model", out_s]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("trained on another NER model"));
}
