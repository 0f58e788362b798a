//! Stance: whether a sentence condemns, endorses or is neutral toward its target, who
//! holds that stance, and what is claimed (`stance-guidelines.md`).
//!
//! Two deciders. The trained model ([`model`], trained by [`train`]) is a branch on the
//! NER encoder: it labels each sentence with calibrated probabilities and tags holder,
//! target and cue; it runs inside the NER stage (`ner::stage`), on the same encoder
//! pass. The rules need no model: a cue lexicon with negation ([`lexicon`]), reporting
//! structures for holder and claim ([`attribution`]), and the rules that combine them
//! ([`rules`]). With a model, the rules add the claim and fill roles the model left
//! empty; without one (`--no-stance-model`, `--no-ner`), they decide alone.

pub mod attribution;
pub mod lexicon;
pub mod model;
pub mod rules;
pub mod train;

pub use lexicon::Lexicon;
pub use rules::LexiconStance;
