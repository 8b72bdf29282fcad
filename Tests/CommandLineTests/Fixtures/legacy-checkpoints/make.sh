#!/usr/bin/env bash
# Writes the legacy checkpoint fixtures with the `ssm` of an older revision, with the outputs that revision
# gave: tiny models of every family, trained for 3 steps, and what `ssm generate` (greedy and beam) and, for
# the real-valued task, `ssm eval` printed for them. LegacyCheckpointTests load them with today's `ssm` and
# expect the same outputs. These files were made at commit bc2871b (before the kernel horizon, the copying
# splits and the family registry changed how configurations are stored):
#
#   git worktree add --detach /tmp/old bc2871b && (cd /tmp/old && swift build -c release --product ssm)
#   Tests/CommandLineTests/Fixtures/legacy-checkpoints/make.sh /tmp/old/.build/release/ssm
set -euo pipefail
ssm="$1"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
copying=(--task copying --count 4 --alphabet 4 --length 24 --layers 1 --width 16 --steps 3 --checkpoint-every 3)
train() {  # NAME OPTIONS...
  local name="$1"
  shift
  "$ssm" train "$@" --out "$work/$name" > /dev/null 2>&1
  cp "$work/$name/checkpoint.safetensors" "$here/$name.safetensors"
}
train s4d "${copying[@]}" --model s4d --state-size 8
train s4 "${copying[@]}" --model s4 --state-size 8
train transformer "${copying[@]}" --model transformer --heads 2 --positions learned
train gru "${copying[@]}" --model gru
train adding --task adding --length 16 --layers 1 --width 16 --steps 3 --checkpoint-every 3 --model s4d --state-size 8
for name in s4d s4 transformer gru; do
  "$ssm" generate --checkpoint "$here/$name.safetensors" --tokens "0 1 2 3 4 4 4 4" --max-new-tokens 6 --json \
    > "$here/$name.greedy.json"
  "$ssm" generate --checkpoint "$here/$name.safetensors" --tokens "3 2 1 0 4 4" --max-new-tokens 4 --strategy beam \
    --beams 3 --json > "$here/$name.beam.json"
done
"$ssm" eval --checkpoint "$here/adding.safetensors" --examples 64 --seed 5 --json > "$here/adding.eval.json"
