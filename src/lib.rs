pub mod doc;
pub mod eval;
pub mod segment;
