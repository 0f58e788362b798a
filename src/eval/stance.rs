//! Stance evaluation: gold sentences (JSON Lines or CSV, `formats.md`) matched to
//! predicted sentences by largest overlap, then per-class precision, recall and F1,
//! macro-F1, accuracy, the confusion matrix, Cohen's kappa, bootstrap intervals, and how
//! often holder, target and cue match the gold (exactly, or sharing a word).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::doc::{Label, Span};
use crate::eval::Prf;

/// One labelled sentence: gold, or a prediction read from an annotated CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    pub doc_id: String,
    pub span: Span,
    pub text: String,
    pub label: Label,
    pub holder: String,
    pub target: String,
    pub cue: String,
    /// Predicted probabilities (condemn, endorse, neutral), when the file has them.
    pub probs: Option<[f32; 3]>,
}

/// A gold sentence and the prediction matched to it (`None`: no predicted sentence
/// overlaps it, scored as a neutral prediction).
#[derive(Debug, Clone)]
pub struct Pair {
    pub gold: Labelled,
    pub pred: Option<Labelled>,
}

impl Pair {
    pub fn predicted_label(&self) -> Label {
        self.pred.as_ref().map_or(Label::Neutral, |p| p.label)
    }
}

/// Reads gold or predicted sentences from JSON Lines or CSV. JSON Lines may name the
/// document `article`; CSV must name it `doc_id`.
pub fn read_labelled(path: &Path) -> Result<Vec<Labelled>> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let rows = if is_csv { csv_rows(&raw)? } else { jsonl_rows(&raw)? };
    rows.into_iter()
        .enumerate()
        .map(|(n, row)| labelled(&row).with_context(|| format!("{}: row {}", path.display(), n + 1)))
        .collect()
}

fn jsonl_rows(raw: &str) -> Result<Vec<HashMap<String, String>>> {
    let mut rows = Vec::new();
    for (n, line) in raw.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line).with_context(|| format!("line {}: malformed JSON", n + 1))?;
        let serde_json::Value::Object(fields) = value else { bail!("line {}: not an object", n + 1) };
        let row = fields
            .into_iter()
            .map(|(k, v)| (if k == "article" { "doc_id".to_string() } else { k }, v.as_str().map_or_else(|| v.to_string(), String::from)))
            .collect();
        rows.push(row);
    }
    Ok(rows)
}

fn csv_rows(raw: &str) -> Result<Vec<HashMap<String, String>>> {
    let mut reader = csv::Reader::from_reader(raw.as_bytes());
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(header.iter().cloned().zip(record?.iter().map(unescape)).collect());
    }
    Ok(rows)
}

/// Undoes the formula guard of the annotated CSV ("'=x" was written for "=x").
fn unescape(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

fn labelled(row: &HashMap<String, String>) -> Result<Labelled> {
    let get = |k: &str| row.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let number = |k: &str| -> Result<usize> { get(k).parse().with_context(|| format!("no number in {k:?}")) };
    let stance = get("stance");
    let Some(label) = Label::parse(&stance) else { bail!("unknown stance {stance:?}") };
    if get("doc_id").is_empty() {
        bail!("no doc_id");
    }
    Ok(Labelled {
        doc_id: get("doc_id"),
        span: Span::new(number("start")?, number("end")?),
        text: get("text"),
        label,
        holder: get("holder"),
        target: get("target"),
        cue: get("cue"),
        probs: probabilities(row),
    })
}

/// `p_condemn`, `p_endorse`, `p_neutral` when all three are numbers.
fn probabilities(row: &HashMap<String, String>) -> Option<[f32; 3]> {
    let p = |k: &str| row.get(k)?.trim().parse::<f32>().ok();
    Some([p("p_condemn")?, p("p_endorse")?, p("p_neutral")?])
}

/// Checks gold sentences against the documents they are scored or trained on
/// (`length_of` gives a document's length in code points, `None` for an unknown id): a
/// gold row naming a missing document, or reaching past its end, means the gold and the
/// documents do not belong together, which scoring would hide.
pub fn check_gold_documents(gold: &[Labelled], length_of: impl Fn(&str) -> Option<usize>) -> Result<()> {
    let problems: Vec<String> = gold
        .iter()
        .filter_map(|g| match length_of(&g.doc_id) {
            None => Some(format!("document {:?} is not among the documents", g.doc_id)),
            Some(len) if g.span.end > len => Some(format!("document {:?}: sentence {}..{} ends past the text ({len} characters)", g.doc_id, g.span.start, g.span.end)),
            _ => None,
        })
        .collect();
    if let Some(first) = problems.first() {
        bail!("{} gold sentence(s) do not fit the documents; the first: {first}", problems.len());
    }
    Ok(())
}

/// Gold documents without a single predicted sentence (scored as all neutral), in
/// order of first appearance: worth a warning, as the run may have failed on them.
pub fn unpredicted_documents<'a>(gold: &'a [Labelled], predicted: &[Labelled]) -> Vec<&'a str> {
    let seen: std::collections::HashSet<&str> = predicted.iter().map(|p| p.doc_id.as_str()).collect();
    let mut missing: Vec<&str> = Vec::new();
    for g in gold {
        if !seen.contains(g.doc_id.as_str()) && !missing.contains(&g.doc_id.as_str()) {
            missing.push(&g.doc_id);
        }
    }
    missing
}

/// Matches each gold sentence to the predicted sentence of its document that
/// overlaps it most (the first of equals).
pub fn match_sentences(gold: &[Labelled], predicted: &[Labelled]) -> Vec<Pair> {
    let mut by_doc: HashMap<&str, Vec<&Labelled>> = HashMap::new();
    for p in predicted {
        by_doc.entry(p.doc_id.as_str()).or_default().push(p);
    }
    gold.iter()
        .map(|g| {
            let candidates = by_doc.get(g.doc_id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let best = candidates
                .iter()
                .map(|p| (p.span.overlap(&g.span), *p))
                .filter(|(o, _)| *o > 0)
                .fold(None::<(usize, &Labelled)>, |best, (o, p)| match best {
                    Some((bo, _)) if bo >= o => best,
                    _ => Some((o, p)),
                });
            Pair { gold: g.clone(), pred: best.map(|(_, p)| p.clone()) }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassScore {
    pub label: &'static str,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Exact and overlapping matches of one role (holder, target or cue) on the gold
/// condemn/endorse sentences that name it.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RoleMatch {
    /// Gold condemn/endorse sentences that name this role.
    pub gold: usize,
    pub exact: f64,
    pub overlap: f64,
    /// Of those, the ones also predicted condemn or endorse, and the overlap share
    /// among them: how well the role is found once the stance is.
    pub predicted_stance: usize,
    pub overlap_when_predicted: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StanceReport {
    pub sentences: usize,
    pub unmatched: usize,
    pub per_class: Vec<ClassScore>,
    pub macro_f1: f64,
    pub accuracy: f64,
    pub kappa: f64,
    /// Rows gold, columns predicted, in the order condemn, endorse, neutral.
    pub confusion: [[usize; 3]; 3],
    pub macro_f1_ci95: Interval,
    pub accuracy_ci95: Interval,
    /// What the intervals resampled.
    pub bootstrap_unit: BootstrapUnit,
    pub holder: RoleMatch,
    pub target: RoleMatch,
    pub cue: RoleMatch,
    /// Expected calibration error (15 bins) of the predicted probabilities, over the
    /// matched sentences that carry them; `None` when none do.
    pub ece: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BootstrapUnit {
    Document,
    Sentence,
}

impl BootstrapUnit {
    pub fn plural(self) -> &'static str {
        match self {
            BootstrapUnit::Document => "documents",
            BootstrapUnit::Sentence => "sentences",
        }
    }
}

pub fn confusion(pairs: &[Pair]) -> [[usize; 3]; 3] {
    let mut m = [[0; 3]; 3];
    for p in pairs {
        m[p.gold.label.index()][p.predicted_label().index()] += 1;
    }
    m
}

pub fn macro_f1(m: &[[usize; 3]; 3]) -> f64 {
    (0..3).map(|k| class_prf(m, k).f1()).sum::<f64>() / 3.0
}

fn class_prf(m: &[[usize; 3]; 3], k: usize) -> Prf {
    Prf { tp: m[k][k], predicted: (0..3).map(|g| m[g][k]).sum(), gold: m[k].iter().sum() }
}

pub fn accuracy(m: &[[usize; 3]; 3]) -> f64 {
    let total: usize = m.iter().flatten().sum();
    if total == 0 { 0.0 } else { (0..3).map(|k| m[k][k]).sum::<usize>() as f64 / total as f64 }
}

/// Cohen's kappa between gold and predicted labels.
pub fn kappa(m: &[[usize; 3]; 3]) -> f64 {
    let total: usize = m.iter().flatten().sum();
    if total == 0 {
        return 0.0;
    }
    let n = total as f64;
    let observed = accuracy(m);
    let expected: f64 = (0..3).map(|k| (m[k].iter().sum::<usize>() as f64 / n) * ((0..3).map(|g| m[g][k]).sum::<usize>() as f64 / n)).sum();
    if (1.0 - expected).abs() < 1e-12 { 1.0 } else { (observed - expected) / (1.0 - expected) }
}

/// Fewest documents for the bootstrap to resample whole documents.
const MIN_DOCUMENTS: usize = 5;

/// What the bootstrap resamples, as (gold, predicted) label cells per unit: whole
/// documents when there are at least `MIN_DOCUMENTS` (the sentences of one article share
/// its topic and speakers, so they are not independent draws, and resampling them one by
/// one makes the interval too narrow), otherwise single sentences. Documents keep the
/// order of their first sentence, so the draw is reproducible.
pub fn resampling_units(pairs: &[Pair]) -> (Vec<Vec<(usize, usize)>>, BootstrapUnit) {
    let cell = |p: &Pair| (p.gold.label.index(), p.predicted_label().index());
    let mut order: Vec<&str> = Vec::new();
    let mut by_doc: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for p in pairs {
        let cells = by_doc.entry(p.gold.doc_id.as_str()).or_insert_with(|| {
            order.push(p.gold.doc_id.as_str());
            Vec::new()
        });
        cells.push(cell(p));
    }
    if order.len() >= MIN_DOCUMENTS {
        (order.iter().map(|d| by_doc.remove(d).unwrap_or_default()).collect(), BootstrapUnit::Document)
    } else {
        (pairs.iter().map(|p| vec![cell(p)]).collect(), BootstrapUnit::Sentence)
    }
}

/// A 95 % percentile bootstrap interval of a statistic over resampled units (see
/// `resampling_units`). Seeded, so the same pairs always give the same interval.
pub fn bootstrap(units: &[Vec<(usize, usize)>], rounds: usize, statistic: impl Fn(&[[usize; 3]; 3]) -> f64) -> Interval {
    if units.is_empty() {
        return Interval { low: 0.0, high: 0.0 };
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut values: Vec<f64> = (0..rounds)
        .map(|_| {
            let mut m = [[0; 3]; 3];
            for _ in 0..units.len() {
                // xorshift64*: small, seedable, good enough for resampling.
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33;
                for &(g, p) in &units[(r as usize) % units.len()] {
                    m[g][p] += 1;
                }
            }
            statistic(&m)
        })
        .collect();
    values.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| values[((q * (rounds - 1) as f64).round() as usize).min(rounds - 1)];
    Interval { low: at(0.025), high: at(0.975) }
}

/// Words of a role string, lowercased, without articles: what "overlap" compares.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !matches!(w.as_str(), "the" | "a" | "an" | "of" | "s"))
        .collect()
}

fn role_match(pairs: &[Pair], role: impl Fn(&Labelled) -> &str) -> RoleMatch {
    // (exact, overlap, predicted as a stance) per gold sentence naming the role.
    let scored: Vec<(bool, bool, bool)> = pairs
        .iter()
        .filter(|p| p.gold.label != Label::Neutral && !role(&p.gold).is_empty())
        .map(|p| {
            let gold = role(&p.gold);
            let pred = p.pred.as_ref().map_or("", &role);
            let exact = gold.eq_ignore_ascii_case(pred.trim());
            let pw = words(pred);
            let overlap = exact || words(gold).iter().any(|w| pw.contains(w));
            (exact, overlap, p.predicted_label() != Label::Neutral)
        })
        .collect();
    let share = |rows: &[&(bool, bool, bool)], f: fn(&(bool, bool, bool)) -> bool| {
        if rows.is_empty() { 0.0 } else { rows.iter().filter(|s| f(s)).count() as f64 / rows.len() as f64 }
    };
    let all: Vec<&(bool, bool, bool)> = scored.iter().collect();
    let predicted: Vec<&(bool, bool, bool)> = scored.iter().filter(|s| s.2).collect();
    RoleMatch {
        gold: all.len(),
        exact: share(&all, |s| s.0),
        overlap: share(&all, |s| s.1),
        predicted_stance: predicted.len(),
        overlap_when_predicted: share(&predicted, |s| s.1),
    }
}

pub fn report(pairs: &[Pair]) -> StanceReport {
    let m = confusion(pairs);
    let (units, unit) = resampling_units(pairs);
    let per_class = Label::ALL
        .iter()
        .map(|l| {
            let prf = class_prf(&m, l.index());
            ClassScore { label: l.as_str(), precision: prf.precision(), recall: prf.recall(), f1: prf.f1(), support: prf.gold }
        })
        .collect();
    StanceReport {
        sentences: pairs.len(),
        unmatched: pairs.iter().filter(|p| p.pred.is_none()).count(),
        per_class,
        macro_f1: macro_f1(&m),
        accuracy: accuracy(&m),
        kappa: kappa(&m),
        confusion: m,
        macro_f1_ci95: bootstrap(&units, 1000, macro_f1),
        accuracy_ci95: bootstrap(&units, 1000, accuracy),
        bootstrap_unit: unit,
        holder: role_match(pairs, |l| &l.holder),
        target: role_match(pairs, |l| &l.target),
        cue: role_match(pairs, |l| &l.cue),
        ece: calibration_error(pairs),
    }
}

fn calibration_error(pairs: &[Pair]) -> Option<f64> {
    let (probs, gold): (Vec<[f32; 3]>, Vec<usize>) =
        pairs.iter().filter_map(|p| Some((p.pred.as_ref()?.probs?, p.gold.label.index()))).unzip();
    (!probs.is_empty()).then(|| crate::eval::calibration::ece(&probs, &gold, 15))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(doc: &str, start: usize, end: usize, label: Label, holder: &str) -> Labelled {
        Labelled { doc_id: doc.into(), span: Span::new(start, end), text: String::new(), label, holder: holder.into(), target: String::new(), cue: String::new(), probs: None }
    }

    #[test]
    fn matches_by_largest_overlap() {
        let gold = [row("d", 10, 20, Label::Condemn, "")];
        let pred = [row("d", 0, 12, Label::Neutral, ""), row("d", 12, 30, Label::Condemn, ""), row("e", 10, 20, Label::Endorse, "")];
        let pairs = match_sentences(&gold, &pred);
        assert_eq!(pairs[0].predicted_label(), Label::Condemn);
        let none = match_sentences(&[row("x", 0, 5, Label::Endorse, "")], &pred);
        assert!(none[0].pred.is_none());
        assert_eq!(none[0].predicted_label(), Label::Neutral);
    }

    #[test]
    fn scores_a_hand_counted_confusion_matrix() {
        // gold rows, predicted columns: condemn, endorse, neutral
        let m = [[4, 0, 1], [1, 2, 1], [0, 0, 6]];
        assert!((accuracy(&m) - 12.0 / 15.0).abs() < 1e-12);
        // condemn P 4/5 R 4/5; endorse P 2/2 R 2/4; neutral P 6/8 R 6/6
        let f = [0.8, 2.0 * 1.0 * 0.5 / 1.5, 2.0 * 0.75 / 1.75];
        assert!((macro_f1(&m) - f.iter().sum::<f64>() / 3.0).abs() < 1e-12);
        // expected agreement: (5*5 + 4*2 + 6*8) / 225
        let pe = (25.0 + 8.0 + 48.0) / 225.0;
        assert!((kappa(&m) - (0.8 - pe) / (1.0 - pe)).abs() < 1e-12);
    }

    #[test]
    fn holder_exact_and_overlap() {
        let gold = [row("d", 0, 10, Label::Condemn, "Ms Hewitt"), row("d", 11, 20, Label::Endorse, "the ministry")];
        let pred = [row("d", 0, 10, Label::Condemn, "Hewitt"), row("d", 11, 20, Label::Endorse, "The ministry")];
        let r = report(&match_sentences(&gold, &pred));
        assert_eq!(r.holder.gold, 2);
        assert!((r.holder.exact - 0.5).abs() < 1e-12);
        assert!((r.holder.overlap - 1.0).abs() < 1e-12);
        let missed = [row("d", 0, 10, Label::Neutral, ""), row("d", 11, 20, Label::Endorse, "The ministry")];
        let r = report(&match_sentences(&gold, &missed));
        assert!((r.holder.overlap - 0.5).abs() < 1e-12);
        assert_eq!(r.holder.predicted_stance, 1);
        assert!((r.holder.overlap_when_predicted - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bootstrap_interval_brackets_the_estimate_and_repeats() {
        let labels = [Label::Condemn, Label::Endorse, Label::Neutral];
        let gold: Vec<_> = (0..60).map(|i| row("d", i * 10, i * 10 + 5, labels[i % 3], "")).collect();
        let pred: Vec<_> = (0..60).map(|i| row("d", i * 10, i * 10 + 5, labels[(i % 3 + usize::from(i % 4 == 0)) % 3], "")).collect();
        let pairs = match_sentences(&gold, &pred);
        let (units, unit) = resampling_units(&pairs);
        assert_eq!((units.len(), unit), (60, BootstrapUnit::Sentence));
        let a = bootstrap(&units, 200, accuracy);
        let point = accuracy(&confusion(&pairs));
        assert!(a.low <= point && point <= a.high && a.low < a.high);
        let b = bootstrap(&units, 200, accuracy);
        assert_eq!((a.low, a.high), (b.low, b.high));
    }

    #[test]
    fn bootstrap_resamples_whole_documents_when_there_are_enough() {
        // Ten articles of twelve sentences each, every one of an article right or every
        // one wrong: resampling articles sees that the sentences move together.
        let labels = [Label::Condemn, Label::Endorse, Label::Neutral];
        let (mut gold, mut pred) = (Vec::new(), Vec::new());
        for d in 0..10 {
            for i in 0..12 {
                let g = labels[i % 3];
                let p = if d % 2 == 0 { g } else { labels[(i + 1) % 3] };
                gold.push(row(&format!("d{d}"), i * 10, i * 10 + 5, g, ""));
                pred.push(row(&format!("d{d}"), i * 10, i * 10 + 5, p, ""));
            }
        }
        let pairs = match_sentences(&gold, &pred);
        let (units, unit) = resampling_units(&pairs);
        assert_eq!((units.len(), unit), (10, BootstrapUnit::Document));
        assert!(units.iter().all(|u| u.len() == 12));
        let by_document = bootstrap(&units, 500, accuracy);
        let singles: Vec<_> = units.concat().into_iter().map(|c| vec![c]).collect();
        let by_sentence = bootstrap(&singles, 500, accuracy);
        assert!(by_document.high - by_document.low > 1.5 * (by_sentence.high - by_sentence.low));
        assert_eq!(report(&pairs).bootstrap_unit, BootstrapUnit::Document);
    }

    #[test]
    fn gold_must_fit_its_documents() {
        let lengths: HashMap<String, usize> = [("a".to_string(), 30)].into();
        let length_of = |id: &str| lengths.get(id).copied();
        assert!(check_gold_documents(&[row("a", 0, 30, Label::Neutral, "")], length_of).is_ok());
        let err = check_gold_documents(&[row("a", 0, 31, Label::Neutral, ""), row("b", 0, 5, Label::Neutral, "")], length_of).unwrap_err().to_string();
        assert!(err.starts_with("2 gold sentence(s)") && err.contains("\"a\": sentence 0..31"), "{err}");
        let gold = [row("a", 0, 5, Label::Neutral, ""), row("b", 0, 5, Label::Neutral, ""), row("b", 6, 9, Label::Neutral, "")];
        assert_eq!(unpredicted_documents(&gold, &[row("a", 0, 5, Label::Neutral, "")]), ["b"]);
    }

    #[test]
    fn reads_gold_jsonl_with_article_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gold.jsonl");
        std::fs::write(&path, "{\"article\": \"a\", \"start\": 0, \"end\": 4, \"stance\": \"endorse\", \"holder\": \"X\"}\n").unwrap();
        let rows = read_labelled(&path).unwrap();
        assert_eq!((rows[0].doc_id.as_str(), rows[0].label, rows[0].holder.as_str()), ("a", Label::Endorse, "X"));
        assert_eq!(rows[0].probs, None);
        let csv = dir.path().join("pred.csv");
        std::fs::write(&csv, "doc_id,start,end,stance,p_condemn,p_endorse,p_neutral\na,0,4,endorse,0.1,0.7,0.2\n").unwrap();
        assert_eq!(read_labelled(&csv).unwrap()[0].probs, Some([0.1, 0.7, 0.2]));
        std::fs::write(&path, "{\"article\": \"a\", \"start\": 0, \"end\": 4, \"stance\": \"maybe\"}\n").unwrap();
        assert!(format!("{:#}", read_labelled(&path).unwrap_err()).contains("maybe"));
    }
}
