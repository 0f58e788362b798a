#!/usr/bin/env bash
# Throughput of `stancer annotate` (whole command, reading and writing included) on the
# sample articles and on CoNLL-2003 eng.testa rebuilt as documents, at 1 and 2 threads,
# best of 3 runs each. Also checks that 1 and 2 threads give byte-identical output.
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
  for threads in 1 2; do
    best=""
    for _ in 1 2 3; do
      line=$("$stancer" annotate "$input" -o "$work/out-$threads.csv" --threads "$threads" 2>&1 | tail -1)
      rate=$(echo "$line" | sed -E 's/.*\(([0-9]+) sentences\/s\).*/\1/')
      if [ -z "$best" ] || [ "$rate" -gt "$best" ]; then best=$rate; fi
      summary=$line
    done
    echo "$(basename "$input") threads=$threads: best ${best} sentences/s  [$summary]"
  done
  cmp -s "$work/out-1.csv" "$work/out-2.csv" && echo "$(basename "$input"): 1 and 2 threads byte-identical"
done
