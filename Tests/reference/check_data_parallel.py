"""Data-parallel `ssm train` under Open MPI against one process.

`mpirun -np K ssm train ...` shards every global batch among K ranks, sums the weighted shard
gradients in rank order and applies the same update everywhere, so after N steps its parameters
must equal those of a single process with the same global batch up to float32 rounding of the
different summation order.  The checkpoints are read here with an independent safetensors reader
(numpy), not with the Swift code under test.

Cases: 2 and 4 ranks against 1 process (s4d and transformer on copying, GRU on adding: cross
entropy and mean squared error; AdamW and SGD, whose update, unlike Adam's, scales with the
gradient, so a wrongly weighted sum cannot hide); a 2-rank run killed mid-way and resumed, which
must end bit for bit where the uninterrupted 2-rank run ends; and the errors: a rank count that
does not divide the batch, ranks started with different configurations.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe"]
# Steps of the comparisons.  Measured here (max over tensors of max|Δθ| / max|θ|, 1 vs 2 ranks,
# width 16, batch 8): 2.2e-7 after 10 steps, 6e-7 after 50, 5e-6 after 200 (AdamW).  One step's
# reduced gradient differs from the single-process one by a few float32 roundings (ε = 6e-8) of
# the shard means and their weighted sum; the per-step parameter change is lr-sized, and the
# training dynamics amplify the differences slowly over the steps.
STEPS = 20
# Bound on max|Δθ| / max|θ| per tensor after STEPS steps: 20× the largest value measured at 50
# steps, and still 1e-4 below what one wrong shard or one mis-weighted gradient produces (the
# SGD case moves parameters by lr · ‖g‖ ≈ 1e-3 relative per step).
RELATIVE_BOUND = 1e-5


def read_parameters(path):
    """The `param.*` tensors of a safetensors file: 8-byte little-endian header length, JSON header
    of {name: {dtype, shape, data_offsets}}, then the data."""
    with open(path, "rb") as handle:
        data = handle.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    base = 8 + length
    tensors = {}
    for name, entry in header.items():
        if not name.startswith("param."):
            continue
        assert entry["dtype"] == "F32", f"{name}: {entry['dtype']}"
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[base + begin:base + end], dtype="<f4").reshape(entry["shape"])
    return tensors


def command(ssm, arguments, ranks):
    launcher = [] if ranks == 1 else MPIRUN + ["-np", str(ranks)]
    return launcher + [ssm, "train"] + arguments


def train(ssm, arguments, out, ranks):
    result = subprocess.run(command(ssm, arguments + ["--out", out], ranks), capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"{ranks} rank(s) failed: {result.stderr.strip()[-500:]}")
    return read_parameters(os.path.join(out, "checkpoint.safetensors"))


def largest_relative_difference(a, b):
    assert a.keys() == b.keys() and a, "different parameter names"
    return max(float(np.max(np.abs(a[k] - b[k]))) / max(float(np.max(np.abs(a[k]))), 1e-30) for k in a)


def check_matches_one_process(ssm, folder, name, arguments, ranks):
    case = os.path.join(folder, f"{name}-{ranks}")
    single = train(ssm, arguments, case + "-single", 1)
    parallel = train(ssm, arguments, case + "-parallel", ranks)
    difference = largest_relative_difference(single, parallel)
    assert difference <= RELATIVE_BOUND, f"max|Δθ|/max|θ| = {difference:.2e} > {RELATIVE_BOUND:.0e}"
    # The comparison means something only if steps 2…N moved the parameters far beyond the bound:
    # the median over tensors of max|θ_N − θ_1| / max|θ_N|, θ_1 from a 1-step run.
    steps = arguments.index("--steps")
    first = train(ssm, arguments[:steps + 1] + ["1"] + arguments[steps + 2:], case + "-first", 1)
    moved = float(np.median([float(np.max(np.abs(single[k] - first[k]))) / max(float(np.max(np.abs(single[k]))),
                                                                                1e-30) for k in single]))
    assert moved > 100 * RELATIVE_BOUND, f"training moved the parameters by only {moved:.2e}"
    return (f"{name}: {ranks} ranks vs 1, max|Δθ|/max|θ| = {difference:.2e} "
            f"(steps 2…{STEPS} moved the median tensor by {moved:.2e})")


def check_resume(ssm, folder):
    arguments = ["--model", "s4d", "--layers", "1", "--width", "16", "--length", "24", "--batch", "8",
                 "--steps", "3000", "--checkpoint-every", "10", "--seed", "5", "--dropout", "0.1"]
    whole = train(ssm, arguments, os.path.join(folder, "resume-whole"), 2)
    killed = os.path.join(folder, "resume-killed")
    checkpoint = os.path.join(killed, "checkpoint.safetensors")
    process = subprocess.Popen(command(ssm, arguments + ["--out", killed], 2), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not os.path.exists(checkpoint) and time.time() < deadline:
        time.sleep(0.002)
    time.sleep(0.02)
    process.send_signal(signal.SIGTERM)  # mpirun forwards it to the ranks and stops them
    process.wait(timeout=60)
    read_parameters(checkpoint)  # the checkpoint left behind is whole
    with open(os.path.join(killed, "metrics.jsonl")) as handle:
        stopped_at = len(handle.read().splitlines())
    assert stopped_at < 3000, "the run finished before it could be stopped"
    resumed = train(ssm, arguments + ["--resume"], killed, 2)
    for name in whole:
        assert np.array_equal(whole[name], resumed[name]), f"{name} differs after --resume"
    with open(os.path.join(folder, "resume-whole", "metrics.jsonl")) as a, open(
            os.path.join(killed, "metrics.jsonl")) as b:
        assert a.read() == b.read(), "metrics.jsonl of the resumed run differs"
    return f"resume: stopped after ~{stopped_at} steps, resumed with 2 ranks: parameters and metrics bit for bit"


def check_refused(ssm, folder, name, launch, expected):
    result = subprocess.run(launch, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0, f"{name}: exit status 0"
    assert expected in result.stderr, f"{name}: {expected!r} not in {result.stderr.strip()[-400:]!r}"
    assert not os.path.exists(os.path.join(folder, name, "checkpoint.safetensors")), f"{name}: wrote a checkpoint"
    return f"{name}: refused ({expected!r})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ssm", required=True, help="path to the ssm binary")
    options = parser.parse_args()
    if shutil.which("mpirun") is None:
        print("check_data_parallel: mpirun not found (make deps installs openmpi-bin)", file=sys.stderr)
        return 1
    ssm = os.path.abspath(options.ssm)
    common = ["--layers", "1", "--width", "16", "--batch", "8", "--steps", str(STEPS), "--seed", "3"]
    copying = ["--task", "copying", "--length", "24"]
    cases = [
        lambda f: check_matches_one_process(ssm, f, "s4d-adamw", ["--model", "s4d"] + copying + common, 2),
        lambda f: check_matches_one_process(ssm, f, "s4d-adamw", ["--model", "s4d"] + copying + common, 4),
        lambda f: check_matches_one_process(
            ssm, f, "transformer-sgd",
            ["--model", "transformer", "--optimizer", "sgd", "--learning-rate", "0.1"] + copying + common, 2),
        lambda f: check_matches_one_process(
            ssm, f, "gru-adding", ["--model", "gru", "--task", "adding", "--length", "32"] + common, 2),
        lambda f: check_resume(ssm, f),
        lambda f: check_refused(
            ssm, f, "indivisible",
            command(ssm, ["--model", "s4d", "--batch", "5", "--steps", "2", "--length", "24", "--out",
                          os.path.join(f, "indivisible")], 2),
            "does not divide among 2 processes"),
        lambda f: check_refused(
            ssm, f, "mismatch",
            MPIRUN + ["-np", "1", ssm, "train", "--steps", "2", "--length", "24", "--seed", "0", "--out",
                      os.path.join(f, "mismatch"), ":", "-np", "1", ssm, "train", "--steps", "2", "--length", "24",
                      "--seed", "1", "--out", os.path.join(f, "mismatch")],
            "of rank 1 differs from rank 0's"),
    ]
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="ssm-data-parallel-") as folder:
        for case in cases:
            try:
                print("  ok  " + case(folder), flush=True)
                passed += 1
            except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
                print(f"  FAIL {error}", flush=True)
                failed += 1
    print(f"check_data_parallel: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
