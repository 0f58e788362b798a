//! Stance: whether a sentence condemns, endorses or is neutral toward its target, who
//! holds that stance, and what is claimed (`stance-guidelines.md`).
//!
//! This first stage needs no trained model: a cue lexicon with negation
//! ([`lexicon`]), reporting structures for holder and claim ([`attribution`]), and
//! the rules that combine them ([`rules`]). Later, trained models decide the label;
//! these rules stay as the explanation beside them.

pub mod attribution;
pub mod lexicon;
pub mod rules;

pub use lexicon::Lexicon;
pub use rules::LexiconStance;
