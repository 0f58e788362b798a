//! Calibration of predicted probabilities: expected calibration error (ECE) and mean
//! negative log-likelihood. A model is calibrated when, of the sentences it labels with
//! confidence 0.8, about 80 % are right; ECE is the gap, averaged over confidence bins
//! weighted by how many predictions fall in each.

/// ECE over `bins` equal-width confidence bins. `probs` are per-sentence label
/// probabilities; the prediction is the most probable label, its confidence that
/// probability.
pub fn ece(probs: &[[f32; 3]], gold: &[usize], bins: usize) -> f64 {
    if probs.is_empty() || bins == 0 {
        return 0.0;
    }
    let mut count = vec![0usize; bins];
    let mut confidence = vec![0f64; bins];
    let mut correct = vec![0f64; bins];
    for (p, &g) in probs.iter().zip(gold) {
        let (best, conf) = argmax(p);
        let b = ((conf as f64 * bins as f64) as usize).min(bins - 1);
        count[b] += 1;
        confidence[b] += conf as f64;
        correct[b] += f64::from(u8::from(best == g));
    }
    let n = probs.len() as f64;
    (0..bins).filter(|&b| count[b] > 0).map(|b| (correct[b] - confidence[b]).abs() / n).sum()
}

/// Mean negative log-likelihood of the gold labels.
pub fn nll(probs: &[[f32; 3]], gold: &[usize]) -> f64 {
    if probs.is_empty() {
        return 0.0;
    }
    let total: f64 = probs.iter().zip(gold).map(|(p, &g)| -(p[g].max(1e-12) as f64).ln()).sum();
    total / probs.len() as f64
}

/// Softmax of logits divided by a temperature.
pub fn softmax(logits: &[f32; 3], temperature: f64) -> [f32; 3] {
    let scaled: Vec<f64> = logits.iter().map(|&l| l as f64 / temperature).collect();
    let top = scaled.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = scaled.iter().map(|s| (s - top).exp()).collect();
    let sum: f64 = exp.iter().sum();
    [(exp[0] / sum) as f32, (exp[1] / sum) as f32, (exp[2] / sum) as f32]
}

/// The temperature in 0.25..=5 (steps of 0.01) with the lowest NLL on held-out logits.
pub fn fit_temperature(logits: &[[f32; 3]], gold: &[usize]) -> f64 {
    let score = |t: f64| nll(&logits.iter().map(|l| softmax(l, t)).collect::<Vec<_>>(), gold);
    (25..=500).map(|k| k as f64 / 100.0).fold((1.0, f64::INFINITY), |best, t| {
        let s = score(t);
        if s < best.1 { (t, s) } else { best }
    }).0
}

/// Index and value of the largest probability (the first of equals).
pub fn argmax(p: &[f32; 3]) -> (usize, f32) {
    p.iter().enumerate().fold((0, f32::NEG_INFINITY), |best, (i, &v)| if v > best.1 { (i, v) } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ece_of_hand_counted_bins() {
        // Two predictions at 0.9 (one right), two at 0.6 (both right), 10 bins:
        // |1 - 1.8| / 4 + |2 - 1.2| / 4 = 0.4.
        let probs = [[0.9, 0.05, 0.05], [0.9, 0.05, 0.05], [0.2, 0.6, 0.2], [0.2, 0.6, 0.2]];
        let gold = [0, 2, 1, 1];
        assert!((ece(&probs, &gold, 10) - 0.4).abs() < 1e-6);
        assert!(ece(&[[0.2, 0.2, 0.6]; 5], &[2; 5], 10) > 0.39);
    }

    #[test]
    fn temperature_softens_an_overconfident_model() {
        // Logits always say label 0 by a wide margin, but it is right only 60 % of the time.
        let logits = vec![[6.0f32, 0.0, 0.0]; 10];
        let gold = [0, 0, 0, 0, 0, 0, 1, 2, 1, 2];
        let t = fit_temperature(&logits, &gold);
        assert!(t > 2.0, "temperature {t}");
        let before = ece(&logits.iter().map(|l| softmax(l, 1.0)).collect::<Vec<_>>(), &gold, 10);
        let after = ece(&logits.iter().map(|l| softmax(l, t)).collect::<Vec<_>>(), &gold, 10);
        assert!(after < before / 4.0, "ECE {before} -> {after}");
    }
}
