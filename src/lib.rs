pub mod doc;
pub mod eval;
pub mod pipeline;
pub mod read;
pub mod segment;
pub mod stance;
pub mod tokens;
pub mod write;
