//! Named entities: a BERT-family encoder with a token-classification head, trained by
//! the project (`train`), run on sentences in the pipeline (`stage`), with word-shape
//! features that give an uncased encoder back the capitalisation signal (`shape`).
//!
//! Tokenisation into words is the caller's; this module maps words to WordPiece ids
//! (`encode`), runs the model (`model`) and turns labels back into word tags.

pub mod bert;
pub mod encode;
pub mod model;
pub mod shape;
pub mod stage;
pub mod tags;
pub mod train;
