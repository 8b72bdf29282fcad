#!/usr/bin/env bash
# Writes S4 checkpoint fixtures whose configurations set the fields of S4Model.Configuration that older checkpoints
# may lack (an absent field means its default), with the `ssm` of commit a9c5cb0 and the outputs that revision gave:
# tiny models trained for 3 steps and what `ssm generate` (greedy and beam) printed for them. LegacyCheckpointTests
# load them with today's `ssm`, expect the same outputs and resume them with the same options.
#
#   git worktree add --detach /tmp/old a9c5cb0 && (cd /tmp/old && swift build --product ssm)
#   Tests/CommandLineTests/Fixtures/s4-option-checkpoints/make.sh /tmp/old/.build/debug/ssm
#
# s4d-options and s4-options set every field `ssm train` has an option for; s4d-defaults sets none, so its
# configuration holds none of dtRange, initialization, blockOutput, normPosition and meanPooling. The command line
# has no option for the norm position or mean pooling: s4d-post-pooled is s4d-defaults with `"normPosition":"post"`
# and `"meanPooling":true` added to its stored configuration (the same parameter shapes, read as another model).
set -euo pipefail
ssm="$1"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
copying=(--task copying --count 4 --alphabet 4 --length 24 --layers 1 --width 16 --state-size 8 --steps 3
  --checkpoint-every 3)
train() {  # NAME OPTIONS...
  local name="$1"
  shift
  "$ssm" train "$@" --out "$work/$name" > /dev/null 2>&1
  cp "$work/$name/checkpoint.safetensors" "$here/$name.safetensors"
}
train s4d-options "${copying[@]}" --model s4d --dt-min 1e-4 --dt-max 0.05 --initialization inv --block-output linear \
  --dropout 0.1
train s4-options "${copying[@]}" --model s4 --dt-min 0.01 --dt-max 0.2 --block-output linear
train s4d-defaults "${copying[@]}" --model s4d
python3 - "$here/s4d-defaults.safetensors" "$here/s4d-post-pooled.safetensors" <<'PYTHON'
import json, struct, sys
data = open(sys.argv[1], "rb").read()
length = struct.unpack("<Q", data[:8])[0]
header = json.loads(data[8:8 + length])
configuration = json.loads(header["__metadata__"]["configuration"])
configuration["model"]["configuration"].update(normPosition="post", meanPooling=True)
header["__metadata__"]["configuration"] = json.dumps(configuration, sort_keys=True, separators=(",", ":"))
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
open(sys.argv[2], "wb").write(struct.pack("<Q", len(text)) + text + data[8 + length:])
PYTHON
for name in s4d-options s4-options s4d-defaults s4d-post-pooled; do
  "$ssm" generate --checkpoint "$here/$name.safetensors" --tokens "0 1 2 3 4 4 4 4" --max-new-tokens 6 --json \
    > "$here/$name.greedy.json"
  "$ssm" generate --checkpoint "$here/$name.safetensors" --tokens "3 2 1 0 4 4" --max-new-tokens 4 --strategy beam \
    --beams 3 --json > "$here/$name.beam.json"
done
