#!/usr/bin/env bash
# Structured generation's result (BENCHMARKS.md, "Schema-guided extraction"): a byte-level transformer trained on
# a generated extraction corpus extracts person records from held-out sentences, constrained vs unconstrained.
#   1. ssm extraction-corpus: 6000 training documents ("Text: <sentence>\nJSON: <record>\n") and 200 test
#      sentences whose records never occur in training (seed 0);
#   2. ssm train --task text on the corpus: transformer, d = 128, 2 layers, 4 heads, context 256, batch 16,
#      lr 2e-3, for each step count (default 800 and 2400; separate runs, each with its own cosine schedule);
#   3. ssm extract --expected on the test sentences, greedy, --constrained and --unconstrained: validity, per-field
#      accuracy and exact records (the last line of each extract-*.jsonl).
# Runs are resumable: rerunning skips finished training and continues an interrupted one.
#
#   Scripts/extraction-experiment.sh PATH/TO/ssm [--root RUN_DIR] [--steps "800 2400"]
set -euo pipefail
ssm="$1"
shift
root="runs/extraction"
steps_list="800 2400"
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="$2"; shift 2 ;;
    --steps) steps_list="$2"; shift 2 ;;
    *) echo "unknown option $1 (--root DIR, --steps \"N ...\")" >&2; exit 2 ;;
  esac
done
corpus="$root/corpus"
"$ssm" extraction-corpus --records 6000 --test-records 200 --seed 0 --out "$corpus"
for steps in $steps_list; do
  out="$root/transformer-$steps"
  resume=()
  [ -f "$out/checkpoint.safetensors" ] && resume=(--resume)
  started=$SECONDS
  "$ssm" train --task text --corpus "$corpus/train.txt" --model transformer --layers 2 --width 128 --heads 4 \
    --length 256 --batch 16 --learning-rate 2e-3 --steps "$steps" --seed 0 --checkpoint-every 100 \
    --out "$out" "${resume[@]}"
  echo "transformer-$steps: trained in $((SECONDS - started)) s"
  for mode in constrained unconstrained; do
    started=$SECONDS
    "$ssm" extract --checkpoint "$out/checkpoint.safetensors" --schema "$corpus/schema.json" \
      --input "$corpus/test.jsonl" --expected "$corpus/expected.jsonl" --"$mode" --max-new-tokens 120 --json \
      > "$out/extract-$mode.jsonl"
    echo "transformer-$steps $mode ($((SECONDS - started)) s): $(tail -n 1 "$out/extract-$mode.jsonl")"
  done
done
