# Sourced by the experiment scripts, whose reruns continue where an interrupted run stopped.
#
# `resumable_train SSM OUT [ssm train options…]` runs `SSM train … --out OUT`, resuming when OUT already holds a
# checkpoint (so a finished run does nothing), with the run's output in OUT.log.
resumable_train() {
  local ssm="$1" out="$2"
  shift 2
  local resume=()
  if [ -f "$out/checkpoint.safetensors" ]; then resume=(--resume); fi
  echo "== train $(basename "$out")" >&2
  "$ssm" train "$@" --out "$out" "${resume[@]}" > "$out.log"
}

# `measure_cell RESULTS KEY command…` appends `{KEY, "measured": OUTPUT}` to the JSONL file RESULTS (KEY: JSON
# members naming the cell) unless a line already holds KEY, OUTPUT being what the command prints (one JSON value).
measure_cell() {
  local results="$1" key="$2"
  shift 2
  touch "$results"
  if grep -qF "$key" "$results"; then return; fi
  echo "== bench {$key}" >&2
  local measured
  measured=$("$@")
  echo "{$key, \"measured\": $measured}" >> "$results"
}
