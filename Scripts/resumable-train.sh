# Sourced by the experiment scripts: `resumable_train SSM OUT [ssm train options…]` runs `SSM train … --out OUT`,
# resuming when OUT already holds a checkpoint (so a rerun continues an interrupted run, or does nothing for a
# finished one), with the run's output in OUT.log.
resumable_train() {
  local ssm="$1" out="$2"
  shift 2
  local resume=()
  if [ -f "$out/checkpoint.safetensors" ]; then resume=(--resume); fi
  echo "== train $(basename "$out")" >&2
  "$ssm" train "$@" --out "$out" "${resume[@]}" > "$out.log"
}
