#!/usr/bin/env bash
# Medusa decoding with models trained on text (Debian's fortunes, bytes): a transformer backbone (d = 128, 4 heads,
# 2 layers, rotary) and an S4D backbone (H = 128, N = 64, 2 layers), both trained on 1024-byte windows (batch 8,
# MEDUSA_STEPS steps), then three Medusa-1 heads on each frozen backbone (MEDUSA_HEAD_STEPS steps) and a Medusa-2
# run from them (backbone and heads together, as many steps, learning rate 3e-4);
# `ssm eval` reports each head's top-1 accuracy, then `ssm bench speculative --speculate medusa --text-context` (held-out text
# before decoding) times Medusa decoding against plain decoding for every run, context, temperature and tree,
# one JSON object per line.
#
#   Scripts/medusa-experiment.sh PATH/TO/ssm [--root DIR]
#
# Training resumes from the runs' checkpoints and finished benchmark cells are kept, so a rerun continues where an
# interrupted one stopped. MEDUSA_STEPS, MEDUSA_HEAD_STEPS, MEDUSA_CONTEXTS and MEDUSA_TOKENS override the budget
# and the grid.
set -euo pipefail
ssm="$1"
shift
root="runs/medusa"
if [ "${1:-}" = "--root" ]; then root="$2"; fi
steps="${MEDUSA_STEPS:-800}"
head_steps="${MEDUSA_HEAD_STEPS:-400}"
contexts="${MEDUSA_CONTEXTS:-512 1024}"
tokens="${MEDUSA_TOKENS:-128}"
mkdir -p "$root"

source "$(dirname "$0")/experiment-steps.sh"
train() { # name, steps, options…
  local name="$1" count="$2"
  shift 2
  resumable_train "$ssm" "$root/$name" --task text --length 1024 --batch 8 --steps "$count" --learning-rate 0.003 \
    --seed 0 --evaluate-every 400 --checkpoint-every 100 "$@"
}
train transformer "$steps" --model transformer --width 128 --heads 4 --layers 2 --positions rotary
train s4d "$steps" --model s4d --width 128 --state-size 64 --layers 2 --state-space-learning-rate 0.001
for backbone in transformer s4d; do
  train "$backbone-medusa" "$head_steps" --medusa-heads 3 --initialize-from "$root/$backbone/checkpoint.safetensors"
  # Medusa-2: backbone and heads together, continuing the Medusa-1 heads, at a tenth of the learning rate.
  train "$backbone-medusa2" "$head_steps" --medusa-heads 3 --medusa-stage 2 --learning-rate 0.0003 \
    --initialize-from "$root/$backbone-medusa/checkpoint.safetensors"
  for stage in medusa medusa2; do
    "$ssm" eval --checkpoint "$root/$backbone-$stage/checkpoint.safetensors" --json > "$root/$backbone-$stage.eval.json"
  done
done

# Trees: the chain of the first k heads' top tokens, and the default compact tree (8 nodes with the root).
echo '[[0]]' > "$root/chain-1.json"
echo '[[0],[0,0]]' > "$root/chain-2.json"
echo '[[0],[0,0],[0,0,0]]' > "$root/chain-3.json"
echo '[[0],[1],[2],[0,0],[0,1],[1,0],[0,0,0]]' > "$root/compact.json"

results="$root/results.jsonl"
for run in transformer-medusa s4d-medusa transformer-medusa2 s4d-medusa2; do
  for context in $contexts; do
    for temperature in greedy 1; do
      for tree in chain-1 chain-2 chain-3 compact; do
        sampling=()
        if [ "$temperature" != greedy ]; then sampling=(--temperature "$temperature"); fi
        measure_cell "$results" \
          "\"run\": \"$run\", \"context\": $context, \"temperature\": \"$temperature\", \"tree\": \"$tree\"" \
          "$ssm" bench speculative --checkpoint "$root/$run/checkpoint.safetensors" --speculate medusa \
          --tree "$root/$tree.json" --context "$context" --tokens "$tokens" --runs 3 --warmup 1 --text-context \
          "${sampling[@]}" --json
      done
    done
  done
done
echo "results: $results" >&2
