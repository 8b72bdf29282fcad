#!/usr/bin/env bash
# RL fine-tuning on verifiable rewards (issue 19): GRPO and PPO from an imperfect supervised checkpoint, for an
# S4D and a transformer policy, on 2-digit addition (prompt "a b + c d =", answer the 3 digits of the sum).
#   1. a 12-token model of the family (ssm train, one step of copying: only the shape and initialisation matter);
#   2. the supervised stage, ssm rl --algorithm sft, stopped while held-out exact match is 40–70 %;
#   3. GRPO and PPO from that checkpoint with the same number of sampled completions per step (8 prompts × 8).
# Held-out exact match: greedy answers to the same 256 test-split problems (--seed 0) before and after each
# stage (ssm rl prints "held-out exact match before" and logs the final one in metrics.jsonl). Measured numbers
# and times: BENCHMARKS.md, "RL fine-tuning". Each run resumes when rerun after an interruption.
#
#   Scripts/rl-experiment.sh PATH/TO/ssm [s4d|transformer ...] [--root RUN_DIR]   (no family: both)
set -euo pipefail
ssm="$1"
shift
root="runs/rl"
families=()
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="$2"; shift 2 ;;
    *) families+=("$1"); shift ;;
  esac
done
[ ${#families[@]} -eq 0 ] && families=(s4d transformer)
common=(--task addition --digits 2 --seed 0 --evaluation-examples 256 --checkpoint-every 10)
stage() {  # OUT ARGUMENTS...: one resumable ssm rl run, timed
  local out="$1"
  shift
  local resume=()
  [ -f "$out/checkpoint.safetensors" ] && resume=(--resume)
  /usr/bin/time -f "$out: %e s" "$ssm" rl "$@" "${common[@]}" --out "$out" "${resume[@]}"
}
for family in "${families[@]}"; do
  case "$family" in
    s4d) model=(--model s4d --layers 2 --width 64 --state-size 64); sft_steps=350 ;;
    transformer) model=(--model transformer --layers 2 --width 64 --heads 4 --positions rotary); sft_steps=2000 ;;
    *) echo "unknown family $family" >&2; exit 1 ;;
  esac
  base="$root/$family"
  [ -f "$base/init/checkpoint.safetensors" ] ||
    "$ssm" train "${model[@]}" --alphabet 10 --count 3 --length 12 --steps 1 --seed 0 --out "$base/init"
  stage "$base/sft" --algorithm sft --checkpoint "$base/init/checkpoint.safetensors" --steps "$sft_steps" \
    --prompts 32 --learning-rate 3e-3 --evaluate-every 50
  sft="$base/sft/checkpoint.safetensors"
  stage "$base/grpo" --algorithm grpo --checkpoint "$sft" --steps 300 --prompts 8 --group-size 8 \
    --learning-rate 3e-4 --evaluate-every 50
  stage "$base/ppo" --algorithm ppo --checkpoint "$sft" --steps 300 --prompts 8 --group-size 8 \
    --learning-rate 3e-4 --evaluate-every 50
done
