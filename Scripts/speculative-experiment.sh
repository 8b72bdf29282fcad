#!/usr/bin/env bash
# Speculative decoding with models trained on the same text (Debian's fortunes, bytes): a transformer target
# (d = 128, 4 heads, 2 layers, rotary) and two drafts — S4D (H = 128, N = 64, 2 layers) and a small transformer
# (d = 64, 2 heads, 1 layer) — all trained on 2048-byte windows (batch 4, 800 steps: a target trained on short
# windows loses its predictions, and the drafts their agreement with it, at the longer contexts); then
# `ssm bench speculative --text-context` (held-out text before decoding) at every context, temperature and draft
# length, one JSON object per line.
#
#   Scripts/speculative-experiment.sh PATH/TO/ssm [--root DIR]
#
# Training resumes from the runs' checkpoints and finished benchmark cells are kept, so a rerun continues where
# an interrupted one stopped. SPEC_STEPS, SPEC_CONTEXTS, SPEC_DRAFT_TOKENS and SPEC_TOKENS override the budget
# and the grid.
set -euo pipefail
ssm="$1"
shift
root="runs/speculative"
if [ "${1:-}" = "--root" ]; then root="$2"; fi
steps="${SPEC_STEPS:-800}"
contexts="${SPEC_CONTEXTS:-512 1024 2048 4096 8192}"
draft_tokens="${SPEC_DRAFT_TOKENS:-1 2 3 4 6 8}"
tokens="${SPEC_TOKENS:-128}"
mkdir -p "$root"

source "$(dirname "$0")/experiment-steps.sh"
train() { # name, model options…
  local name="$1"
  shift
  resumable_train "$ssm" "$root/$name" --task text --length 2048 --batch 4 --steps "$steps" --learning-rate 0.003 \
    --seed 0 --evaluate-every 400 --checkpoint-every 100 "$@"
}
train target --model transformer --width 128 --heads 4 --layers 2 --positions rotary
train draft-s4d --model s4d --width 128 --state-size 64 --layers 2 --state-space-learning-rate 0.001
train draft-transformer --model transformer --width 64 --heads 2 --layers 1 --positions rotary

results="$root/results.jsonl"
for context in $contexts; do
  for temperature in greedy 1; do
    for draft in s4d transformer; do
      for k in $draft_tokens; do
        sampling=()
        if [ "$temperature" != greedy ]; then sampling=(--temperature "$temperature"); fi
        measure_cell "$results" \
          "\"draft\": \"$draft\", \"context\": $context, \"temperature\": \"$temperature\", \"k\": $k" \
          "$ssm" bench speculative --checkpoint "$root/target/checkpoint.safetensors" \
          --draft "$root/draft-$draft/checkpoint.safetensors" --context "$context" --draft-tokens "$k" \
          --tokens "$tokens" --runs 3 --warmup 1 --text-context "${sampling[@]}" --json
      done
    done
  done
done
echo "results: $results" >&2
