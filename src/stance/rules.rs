//! The rule-based stance stage: finds cues, applies negation and contrast, and attaches
//! holder, target, cue and claim. Its probabilities are fixed confidence levels per
//! rule, not calibrated model output; the README says so.
//!
//! When a trained model already labelled a sentence (`ner::stage` with a stance
//! branch), the model's label and probabilities stand; the rules add the claim and
//! fill a holder, target or cue the model's tagger did not find.

use crate::doc::{AnnotatedDoc, Claim, Document, Entity, Holder, Label, QuoteType, Span, Stance};
use crate::pipeline::{ModelInfo, Stage};
use crate::stance::attribution::{self, phrase_after, span_of, subject_before, Attribution, Range};
use crate::stance::lexicon::{CueKind, CueMatch};
use crate::stance::Lexicon;
use crate::tokens::{tokenize, Token};

/// Confidence given to a label found by a verb cue with its holder, by a weaker cue,
/// and to neutral when no cue (or only a negated one) was found.
const P_STRONG: f32 = 0.70;
const P_WEAK: f32 = 0.60;
const P_NO_CUE: f32 = 0.80;
const P_CANCELLED: f32 = 0.60;

/// Words that mark the later clause of a contrast, whose stance wins on equal weight.
const CONTRASTS: &[&str] = &["but", "however", "yet", "though", "although", "while"];

/// Targets that are someone's critics: condemning them endorses what they criticise.
const CRITICS: &[&str] = &["critics", "opponents", "detractors", "sceptics", "skeptics", "naysayers"];

const COPULAS: &[&str] = &["is", "was", "are", "were", "be", "been", "being"];

const CALLING: &[&str] = &["called", "calling", "calls", "call", "described", "describing", "branded", "labelled", "labeled", "termed"];

pub struct LexiconStance {
    lexicon: Lexicon,
}

impl LexiconStance {
    pub fn new(lexicon: Lexicon) -> LexiconStance {
        LexiconStance { lexicon }
    }
}

impl Default for LexiconStance {
    fn default() -> Self {
        LexiconStance::new(Lexicon::builtin())
    }
}

impl Stage for LexiconStance {
    fn name(&self) -> &'static str {
        "stance-rules"
    }

    fn models(&self) -> Vec<ModelInfo> {
        vec![ModelInfo { name: "cue-lexicon (built in)".into(), sha256: self.lexicon.sha256().to_string() }]
    }

    fn process(&mut self, batch: &mut [AnnotatedDoc]) -> anyhow::Result<()> {
        batch.iter_mut().for_each(|doc| self.annotate(doc));
        Ok(())
    }
}

/// What the rules found in one sentence.
struct Analysis {
    stance: Stance,
    claim: Option<Claim>,
    /// The holder of the sentence's reporting structure, if any.
    speaker: Option<Span>,
}

impl LexiconStance {
    fn annotate(&self, doc: &mut AnnotatedDoc) {
        let chars: Vec<char> = doc.doc.text.chars().collect();
        let analyses: Vec<Analysis> = doc.sentences.iter().map(|s| self.analyse(doc, &chars, s.span)).collect();
        let speakers: Vec<Option<Span>> = analyses.iter().map(|a| a.speaker).collect();
        let quoted: Vec<bool> = analyses.iter().map(|a| a.claim.is_some_and(|c| c.quote_type == QuoteType::Direct)).collect();
        for (i, (sentence, mut a)) in doc.sentences.iter_mut().zip(analyses).enumerate() {
            let label = sentence.stance.as_ref().map_or(a.stance.label, |s| s.label);
            if label != Label::Neutral && a.stance.holder.is_none() {
                let speaker = if quoted[i] { quote_speaker(i, &speakers, &quoted) } else { a.speaker };
                a.stance.holder = speaker.map(Holder::Span);
            }
            let mut stance = match sentence.stance.take() {
                Some(model) => fill_roles(model, a.stance),
                None => a.stance,
            };
            if let Some(Holder::Span(h)) = stance.holder {
                stance.holder = Some(Holder::Span(widen_to_entities(h, &sentence.entities, &doc.doc)));
            }
            sentence.stance = Some(stance);
            sentence.claim = a.claim;
        }
    }

    fn analyse(&self, doc: &AnnotatedDoc, chars: &[char], span: Span) -> Analysis {
        let tokens = tokenize(&doc.doc, span);
        let attribution = attribution::find_attribution(&self.lexicon, &tokens);
        let claim = attribution::claim(chars, span, &tokens, attribution.as_ref());
        let speaker = attribution.as_ref().and_then(|a| a.holder).map(|h| span_of(&tokens, h));
        let is_question = tokens.last().is_some_and(|t| t.text == "?");
        let stance = match self.choose_cue(&tokens) {
            _ if is_question => Stance::neutral(P_NO_CUE),
            Choice::None => Stance::neutral(P_NO_CUE),
            Choice::Cancelled => Stance::neutral(P_CANCELLED),
            Choice::Cue(cue, label) => self.stance_for(&tokens, cue, label, attribution.as_ref(), claim.is_some()),
        };
        Analysis { stance, claim, speaker }
    }

    /// The cue that decides the label: after a contrast word if one there survives
    /// negation, else the first surviving cue.
    fn choose_cue(&self, tokens: &[Token]) -> Choice {
        let cues = self.lexicon.find_cues(tokens);
        if cues.is_empty() {
            return Choice::None;
        }
        let live: Vec<(CueMatch, Label)> = cues.iter().filter_map(|c| self.polarity(tokens, c).map(|l| (*c, l))).collect();
        let contrast = tokens.iter().rposition(|t| CONTRASTS.contains(&t.lower.as_str()));
        // A cue after the contrast wins over cues of its own weight or less: an
        // adjective inside "painful but necessary" does not outweigh "welcomed".
        let weight = |c: &CueMatch| matches!(c.kind, CueKind::Verb | CueKind::Phrase);
        let first_weight = live.first().is_some_and(|(c, _)| weight(c));
        let after_contrast = contrast
            .and_then(|k| live.iter().find(|(c, _)| c.start > k))
            .filter(|(c, _)| weight(c) || !first_weight);
        match after_contrast.or(live.first()) {
            Some(&(cue, label)) => Choice::Cue(cue, label),
            None => Choice::Cancelled,
        }
    }

    /// The label a cue gives after negation, or `None` when negation cancels it.
    /// "did not condemn" cancels; "refused to back" flips; "not acceptable" flips.
    fn polarity(&self, tokens: &[Token], cue: &CueMatch) -> Option<Label> {
        let clause_start = tokens[..cue.start].iter().rposition(|t| !t.is_word()).map_or(0, |p| p + 1);
        let window = (cue.start - clause_start).min(3);
        let Some(negator) = self.lexicon.negator_before(tokens, cue.start, window) else {
            return Some(cue.label);
        };
        let refusal = ["refus", "declin", "fail", "reluctant", "unwilling"].iter().any(|r| negator[0].starts_with(r));
        match (refusal, cue.kind, cue.label) {
            (true, _, Label::Endorse) => Some(Label::Condemn),
            (false, CueKind::Adj, label) => Some(flip(label)),
            _ => None,
        }
    }

    fn stance_for(&self, tokens: &[Token], cue: CueMatch, label: Label, attribution: Option<&Attribution>, has_claim: bool) -> Stance {
        let (holder, target) = match cue.kind {
            CueKind::Verb | CueKind::Phrase => verb_roles(tokens, cue),
            CueKind::Noun => (None, noun_target(tokens, cue)),
            CueKind::Adj => (None, adj_target(tokens, cue)),
        };
        let holder = holder.or_else(|| attribution.and_then(|a| a.holder));
        let target_text = target.map(|(s, e)| tokens[s..e].iter().map(|t| t.lower.as_str()).collect::<Vec<_>>());
        let at_critics = target_text.is_some_and(|t| t.iter().any(|w| CRITICS.contains(w)));
        let label = if at_critics { flip(label) } else { label };
        let holder = match holder {
            Some(h) => Some(Holder::Span(span_of(tokens, h))),
            None if attribution.is_none() && !has_claim => Some(Holder::Author),
            None => None,
        };
        let strong = matches!(cue.kind, CueKind::Verb | CueKind::Phrase) && holder.is_some();
        let p = if strong { P_STRONG } else { P_WEAK };
        let mut probs = [(1.0 - p) / 2.0; 3];
        probs[label.index()] = p;
        Stance {
            label,
            probs,
            holder,
            target: target.map(|r| span_of(tokens, r)),
            cue: Some(span_of(tokens, (cue.start, cue.end))),
        }
    }
}

/// The model's stance, with the roles it left empty taken from the rules (only for
/// condemn and endorse: a neutral sentence has no roles).
fn fill_roles(model: Stance, rules: Stance) -> Stance {
    if model.label == Label::Neutral {
        return model;
    }
    Stance {
        holder: model.holder.or(rules.holder),
        target: model.target.or(rules.target),
        cue: model.cue.or(rules.cue),
        ..model
    }
}

/// A holder widened to whole entities: the one it starts or ends inside, and those right
/// before it with only spaces between ("German" "Foreign Ministry" before "spokesman
/// Martin Erdmann"), since the guidelines ask for the full noun phrase.
fn widen_to_entities(mut h: Span, entities: &[Entity], doc: &Document) -> Span {
    for e in entities {
        if e.span.start < h.start && h.start < e.span.end {
            h.start = e.span.start;
        }
        if e.span.start < h.end && h.end < e.span.end {
            h.end = e.span.end;
        }
    }
    let touches = |e: &&Entity, start: usize| e.span.start < start && e.span.end <= start && doc.slice(Span::new(e.span.end, start)).chars().all(|c| c == ' ');
    while let Some(e) = entities.iter().find(|e| touches(e, h.start)) {
        h.start = e.span.start;
    }
    h
}

enum Choice {
    None,
    Cancelled,
    Cue(CueMatch, Label),
}

fn flip(label: Label) -> Label {
    match label {
        Label::Condemn => Label::Endorse,
        Label::Endorse => Label::Condemn,
        Label::Neutral => Label::Neutral,
    }
}

/// Holder and target of a verb cue: subject and object, or for a passive ("was
/// criticised by X") the agent and the subject.
fn verb_roles(tokens: &[Token], cue: CueMatch) -> (Option<Range>, Option<Range>) {
    let passive = cue.start > 0 && COPULAS.contains(&tokens[cue.start - 1].lower.as_str());
    let by = tokens[cue.end..].iter().position(|t| t.lower == "by").map(|p| cue.end + p);
    if let (true, Some(by)) = (passive, by) {
        return (phrase_after(tokens, by + 1, 6), subject_before(tokens, cue.start));
    }
    (subject_before(tokens, cue.start), phrase_after(tokens, cue.end, 6))
}

/// "criticism of X", "support for X".
fn noun_target(tokens: &[Token], cue: CueMatch) -> Option<Range> {
    let prep = tokens.get(cue.end)?;
    let takes_object = matches!(prep.lower.as_str(), "of" | "for" | "over" | "against" | "to" | "on");
    if takes_object {
        phrase_after(tokens, cue.end + 1, 6)
    } else {
        None
    }
}

/// "X is a disgrace", "called X dangerous".
fn adj_target(tokens: &[Token], cue: CueMatch) -> Option<Range> {
    let from = cue.start.saturating_sub(5);
    if let Some(k) = tokens[from..cue.start].iter().rposition(|t| CALLING.contains(&t.lower.as_str())) {
        let verb = from + k;
        let end = if tokens[cue.start - 1].lower == "as" { cue.start - 1 } else { cue.start };
        return (verb + 1 < end).then_some((verb + 1, end));
    }
    let copula = cue.start > 0 && COPULAS.contains(&tokens[cue.start - 1].lower.as_str());
    if copula {
        subject_before(tokens, cue.start - 1)
    } else {
        None
    }
}

/// A quoted sentence without its own attribution belongs to the speaker of the quote:
/// the next sentence if it continues the quote with an attribution, else the previous.
fn quote_speaker(i: usize, speakers: &[Option<Span>], quoted: &[bool]) -> Option<Span> {
    let next = (i + 1 < speakers.len() && quoted[i + 1]).then(|| speakers[i + 1]).flatten();
    next.or_else(|| (i > 0 && quoted[i - 1]).then(|| speakers[i - 1]).flatten())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Document, Sentence};
    use crate::pipeline::{Segmenter, Stage};
    use crate::segment::RuleSplitter;

    /// (label, holder, target, cue) of each sentence.
    fn run(text: &str) -> Vec<(Label, String, String, String)> {
        let mut docs = vec![AnnotatedDoc::new(Document::new("d", text))];
        Segmenter(RuleSplitter).process(&mut docs).unwrap();
        LexiconStance::default().process(&mut docs).unwrap();
        let doc = &docs[0];
        let show = |s: Option<Span>| s.map_or(String::new(), |s| doc.doc.slice(s).to_string());
        doc.sentences
            .iter()
            .map(|s: &Sentence| {
                let st = s.stance.as_ref().unwrap();
                let holder = match st.holder {
                    Some(Holder::Author) => "AUTHOR".to_string(),
                    Some(Holder::Span(sp)) => show(Some(sp)),
                    None => String::new(),
                };
                (st.label, holder, show(st.target), show(st.cue))
            })
            .collect()
    }

    #[test]
    fn verb_cue_gives_holder_target_and_cue() {
        let got = run("Human rights groups condemned the detentions on Monday.");
        assert_eq!(got[0], (Label::Condemn, "Human rights groups".into(), "the detentions".into(), "condemned".into()));
    }

    #[test]
    fn negation_cancels_and_refusal_flips() {
        assert_eq!(run("The bloc did not condemn the offer.")[0].0, Label::Neutral);
        assert_eq!(run("The union refused to back the deal.")[0].0, Label::Condemn);
        assert_eq!(run("The deal is not helpful.")[0].0, Label::Condemn);
    }

    #[test]
    fn later_clause_of_contrast_wins() {
        assert_eq!(run("The group welcomed the cut but condemned the delay.")[0].0, Label::Condemn);
        assert_eq!(run("She welcomed the cut as painful but necessary.")[0].0, Label::Endorse);
        assert_eq!(run("The cut is necessary but dangerous.")[0].0, Label::Condemn);
    }

    #[test]
    fn condemning_critics_endorses() {
        let got = run("The minister dismissed the critics of the plan.");
        assert_eq!(got[0].0, Label::Endorse);
    }

    #[test]
    fn questions_and_bad_events_are_neutral() {
        assert_eq!(run("Will the union back the deal?")[0].0, Label::Neutral);
        assert_eq!(run("The flood killed 12 people.")[0].0, Label::Neutral);
    }

    #[test]
    fn passive_agent_is_the_holder() {
        let got = run("The plan was condemned by the opposition.");
        assert_eq!((got[0].1.as_str(), got[0].2.as_str()), ("the opposition", "The plan"));
    }

    #[test]
    fn quote_without_attribution_takes_the_speaker_of_the_quote() {
        let got = run("\"This plan is dangerous. We reject it,\" she said.");
        assert_eq!(got[0].0, Label::Condemn);
        assert_eq!(got[0].1, "she");
    }

    #[test]
    fn a_model_label_stands_and_rules_fill_its_missing_roles() {
        let mut docs = vec![AnnotatedDoc::new(Document::new("d", "Human rights groups condemned the detentions."))];
        Segmenter(RuleSplitter).process(&mut docs).unwrap();
        let cue = Span::new(20, 29);
        let model = Stance { label: Label::Endorse, probs: [0.1, 0.8, 0.1], holder: None, target: None, cue: Some(cue) };
        docs[0].sentences[0].stance = Some(model);
        LexiconStance::default().process(&mut docs).unwrap();
        let st = docs[0].sentences[0].stance.clone().unwrap();
        assert_eq!((st.label, st.probs, st.cue), (Label::Endorse, [0.1, 0.8, 0.1], Some(cue)));
        assert_eq!(st.holder, Some(Holder::Span(Span::new(0, 19))));
        assert_eq!(st.target.map(|t| docs[0].doc.slice(t).to_string()), Some("the detentions".into()));
    }

    #[test]
    fn holder_widens_to_whole_entities() {
        let doc = Document::new("d", "German Foreign Ministry spokesman Martin Erdmann, said Air France.");
        let ent = |s, e| Entity { span: Span::new(s, e), label: "ORG".into(), score: 1.0 };
        let entities = [ent(0, 6), ent(7, 23), ent(34, 48), ent(55, 65)];
        assert_eq!(widen_to_entities(Span::new(24, 48), &entities, &doc), Span::new(0, 48));
        assert_eq!(widen_to_entities(Span::new(41, 48), &entities, &doc), Span::new(34, 48));
        // A comma is not a space: no widening across it.
        assert_eq!(widen_to_entities(Span::new(50, 54), &entities, &doc), Span::new(50, 54));
        assert_eq!(widen_to_entities(Span::new(59, 65), &entities, &doc), Span::new(55, 65));
    }

    #[test]
    fn unattributed_evaluation_is_the_author() {
        let got = run("The decision was a disgrace.");
        assert_eq!(got[0].0, Label::Condemn);
        assert_eq!(got[0].1, "AUTHOR");
    }
}
