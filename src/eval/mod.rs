//! Evaluation metrics, apart from the models they score. Each submodule reads its gold
//! format, compares it with predictions and returns plain numbers; printing is the CLI's.

pub mod calibration;
pub mod ner;
pub mod sbd;
pub mod stance;

/// Precision, recall and F1 from counts of true positives, predictions and gold items.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Prf {
    pub tp: usize,
    pub predicted: usize,
    pub gold: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.predicted)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.gold)
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    pub fn add(&mut self, other: Prf) {
        self.tp += other.tp;
        self.predicted += other.predicted;
        self.gold += other.gold;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prf_from_counts() {
        let m = Prf { tp: 3, predicted: 4, gold: 6 };
        assert!((m.precision() - 0.75).abs() < 1e-12);
        assert!((m.recall() - 0.5).abs() < 1e-12);
        assert!((m.f1() - 0.6).abs() < 1e-12);
        assert_eq!(Prf::default().f1(), 0.0);
    }
}
