#!/usr/bin/env bash
# Throughput of `stancer annotate` (whole command, reading and writing included) on the
# sample articles and on CoNLL-2003 eng.testa rebuilt as documents, at 1 and 2 threads,
# best of 3 runs each: with the shipped NER and stance models (and, at 2 threads, the same
# with --precision float32), then with NER alone
# (`--no-stance-model`, the rules decide stance) to show what the stance branch costs.
# Also checks that 1 and 2 threads give byte-identical output. On eng.testa, the Python
# peer (bench/annotate_peer.py: transformers NER pipeline + a MiniLM stance embedding, 2
# threads, batch 32) runs on the same sentences in the same run.
# Usage: bench/annotate.sh   (eng.testa needs ../shared/data/conll2003)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stancer="$root/scripts/stancer"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
inputs=("$root/notebooks-data/articles")
testa="$root/../shared/data/conll2003/eng.testa"
if [ -f "$testa" ]; then
  python3 "$root/scripts/conll-docs.py" "$testa" > "$work/eng.testa.jsonl"
  inputs+=("$work/eng.testa.jsonl")
fi
"$stancer" --version
for input in "${inputs[@]}"; do
  for mode in "ner+stance" "ner+stance float32" "ner only"; do
    flags=()
    thread_counts=(1 2)
    [ "$mode" = "ner only" ] && flags=(--no-stance-model)
    # float32 products for comparison (the default takes bf16 where the CPU has it).
    [ "$mode" = "ner+stance float32" ] && flags=(--precision float32) && thread_counts=(2)
    for threads in "${thread_counts[@]}"; do
      best=""
      for _ in 1 2 3; do
        line=$("$stancer" annotate "$input" -o "$work/out-$threads.csv" --threads "$threads" "${flags[@]}" 2>&1 | tail -1)
        rate=$(echo "$line" | sed -E 's/.*\(([0-9]+) sentences\/s\).*/\1/')
        if [ -z "$best" ] || [ "$rate" -gt "$best" ]; then best=$rate; fi
        summary=$line
      done
      echo "$(basename "$input") [$mode] threads=$threads: best ${best} sentences/s  [$summary]"
    done
    [ "${#thread_counts[@]}" = 2 ] && cmp -s "$work/out-1.csv" "$work/out-2.csv" && echo "$(basename "$input") [$mode]: 1 and 2 threads byte-identical"
  done
done
if [ -f "$testa" ]; then
  python="$("$root/bench/peer-venv.sh")"
  "$stancer" segment "$work/eng.testa.jsonl" -o "$work/segments.csv" 2>/dev/null
  "$python" "$root/bench/annotate_peer.py" "$work/segments.csv" "$root/models/ner" "$("$root/scripts/fetch-minilm.sh")" \
    --threads 2 --batch-size 32 2>/dev/null
fi
