//! What the two trainers (`ner::train`, `stance::train`) share: the optimisation
//! settings, AdamW with a linear warm-up then linear decay, and a seeded shuffler.
//! Data, models and scoring stay with each task.

use anyhow::Result;
use serde::Serialize;
use tch::nn::{self, OptimizerConfig};
use tch::Tensor;

#[derive(Debug, Clone, Serialize)]
pub struct Optimisation {
    pub epochs: usize,
    pub batch_size: usize,
    /// Learning rate of the pre-trained layers (variable group 0).
    pub learning_rate: f64,
    /// Learning rate of the new layers (group 1), which start from scratch.
    pub head_learning_rate: f64,
    /// Share of all steps spent warming up.
    pub warmup: f64,
    pub seed: i64,
}

/// AdamW stepping through the schedule: each `step` sets both groups' rates, then
/// back-propagates with the gradient norm clipped at 1.
pub struct Stepper {
    opt: nn::Optimizer,
    settings: Optimisation,
    step: usize,
    total: f64,
}

impl Stepper {
    pub fn new(vs: &nn::VarStore, settings: &Optimisation, batches_per_epoch: usize) -> Result<Stepper> {
        let opt = nn::AdamW::default().build(vs, settings.learning_rate)?;
        Ok(Stepper { opt, settings: settings.clone(), step: 0, total: (batches_per_epoch * settings.epochs) as f64 })
    }

    pub fn step(&mut self, loss: &Tensor) {
        self.step += 1;
        let scale = schedule(self.step as f64, (self.settings.warmup * self.total).max(1.0), self.total);
        self.opt.set_lr_group(0, self.settings.learning_rate * scale);
        self.opt.set_lr_group(1, self.settings.head_learning_rate * scale);
        self.opt.backward_step_clip_norm(loss, 1.0);
    }
}

/// Linear warm-up to 1, then linear decay to 0.
fn schedule(step: f64, warmup: f64, total: f64) -> f64 {
    if step < warmup {
        step / warmup
    } else {
        ((total - step) / (total - warmup).max(1.0)).max(0.0)
    }
}

/// A small seeded generator for shuffling batch order (SplitMix64).
pub struct SplitMix(pub u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_warms_up_then_decays_to_zero() {
        assert!((schedule(5.0, 10.0, 100.0) - 0.5).abs() < 1e-12);
        assert!((schedule(10.0, 10.0, 100.0) - 1.0).abs() < 1e-12);
        assert!((schedule(55.0, 10.0, 100.0) - 0.5).abs() < 1e-12);
        assert_eq!(schedule(100.0, 10.0, 100.0), 0.0);
    }

    #[test]
    fn shuffle_is_seeded_and_a_permutation() {
        let (mut a, mut b) = ((0..20).collect::<Vec<_>>(), (0..20).collect::<Vec<_>>());
        SplitMix(5).shuffle(&mut a);
        SplitMix(5).shuffle(&mut b);
        assert_eq!(a, b);
        assert_ne!(a, (0..20).collect::<Vec<_>>());
        a.sort();
        assert_eq!(a, (0..20).collect::<Vec<_>>());
    }
}
