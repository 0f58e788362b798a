#!/usr/bin/env bash
# Stance accuracy side by side on the development split of the project's corpus (held
# out by article from training: the eng.testa articles, the written articles numbered by
# multiples of 5, and both together): the shipped model through the whole
# pipeline (`stancer eval stance --docs`, sentences cut by stancer and matched to gold),
# the rules alone, and the Python peer (MiniLM embeddings + scikit-learn logistic
# regression, trained on the same training sentences; bench/stance_peers.py).
# Usage: bench/stance.sh   (needs ../shared/data/conll2003; the peer's venv is cached)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${STANCER_CACHE:-$HOME/.cache/stancer}"
stancer="$root/scripts/stancer"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$root/scripts/stance-corpus.py" rebuild "$work" 2>/dev/null
python3 "$root/scripts/stance-corpus.py" splits "$work" 2>/dev/null
# splits also writes the whole development split (all-dev-*): both held-out sets together.

for set in all-dev dev written-dev; do
  echo "== $set: stancer (NER + stance model, then rules for claim and missing roles)"
  start=$(date +%s.%N)
  "$stancer" eval stance --gold "$work/$set-gold.jsonl" --docs "$work/$set-docs.jsonl" | grep -E "macro-F1|^(condemn|endorse|neutral) |holder|kappa"
  echo "   wall time $(echo "$(date +%s.%N) - $start" | bc) s"
  echo "== $set: stancer rules alone (--no-stance-model)"
  "$stancer" eval stance --gold "$work/$set-gold.jsonl" --docs "$work/$set-docs.jsonl" --no-stance-model | grep -E "macro-F1|holder"
done

python="$("$root/bench/peer-venv.sh")"
"$root/scripts/fetch-minilm.sh" >/dev/null
echo "== dev: Python peer"
"$python" "$root/bench/stance_peers.py" "$work/train-gold.jsonl" "$work/dev-gold.jsonl" \
  "$work/reuters-docs.jsonl" "$work/written-docs.jsonl" --encoder "$cache/all-MiniLM-L6-v2" --threads 2
