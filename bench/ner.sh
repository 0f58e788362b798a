#!/usr/bin/env bash
# NER side by side on CoNLL-2003 eng.testa, in one run: stancer, the same model through
# Python transformers' token-classification pipeline (torch 2.4.0), and spaCy's small
# model, all with the same thread count and batch size and sentences sorted by length.
# The Python peers live in the benchmark's own virtual environment in the cache.
#
# Usage: bench/ner.sh [MODEL_DIR] [PLAIN_MODEL_DIR]
#   MODEL_DIR: stancer's model (default models/ner);
#   PLAIN_MODEL_DIR: a model without word-shape features, which Python transformers can
#   load as it is, run by both stancer and transformers for the like-for-like speed test
#   (default: MODEL_DIR when it has no shape features).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-$root/models/ner}"
plain="${2:-$model}"
gold="$root/../shared/data/conll2003/eng.testa"
threads=2
batch=32
python="$("$root/bench/peer-venv.sh")"
echo "== $(basename "$gold"), $threads threads, batch $batch"
for m in "$model" "$plain"; do
  line=$("$root/scripts/stancer" eval ner --gold "$gold" --model "$m" --batch-size "$batch" --threads "$threads" 2>&1 | grep -E "tokens/s|FB1" | tr '\n' ' ')
  echo "stancer ($(basename "$m")): $line"
done
"$python" "$root/bench/ner_peers.py" "$gold" "$plain" --threads "$threads" --batch-size "$batch"
