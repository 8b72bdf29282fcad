"""Data-parallel `ssm train` and `ssm rl` under Open MPI against one process.

`mpirun -np K ssm train ...` shards every global batch among K ranks, sums the weighted shard
gradients in rank order and applies the same update everywhere, so after N steps its parameters
must equal those of a single process with the same global batch up to float32 rounding of the
different summation order.  The checkpoints are read here with an independent safetensors reader
(numpy), not with the Swift code under test.

Cases: 2 and 4 ranks against 1 process (s4d and transformer on copying, GRU on adding: cross
entropy and mean squared error; AdamW and SGD, whose update, unlike Adam's, scales with the
gradient, so a wrongly weighted sum cannot hide); a 2-rank run killed mid-way and resumed, which
must end bit for bit where the uninterrupted 2-rank run ends; a rank that dies (SIGKILL of rank 1,
and of rank 0, the writer) or fails (rank 0 cannot write its checkpoint): the job must stop within
STOP_BOUND seconds with the launcher naming the dead rank and the survivor saying why it stopped
and that the checkpoint stays valid, and the checkpoint left behind must resume to the bit-exact
end of the uninterrupted run; `ssm compare` with 2 ranks against 1 process (every cell's losses and
test metric); `ssm rl` (GRPO) with 2 and 4 ranks against 1 process: the same
completions (rewards, lengths and held-out exact match equal exactly) and parameters within the
float32 bound; and the errors: a rank count that does not divide the batch or the prompts, ranks
started with different configurations; a 2-rank `ssm rl` stopped and resumed, against the uninterrupted run.

Run: python3 Tests/reference/check_data_parallel.py --ssm .build/release/ssm  (make reference-check)
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


# The 2-rank run that the interrupted runs are resumed against.
RESUMED = ["--model", "s4d", "--layers", "1", "--width", "16", "--length", "24", "--batch", "8",
           "--steps", "3000", "--checkpoint-every", "10", "--seed", "5", "--dropout", "0.1"]
# Seconds from a rank's death to the end of the job.  Measured here: ~1 s (mpirun notices the death
# at once, sends SIGTERM to the other ranks and SIGKILL after its grace period); a rank left
# waiting in a collective call for a peer that never comes would hang until this bound fails it.
STOP_BOUND = 30


def uninterrupted(ssm, folder):
    """The parameters of the uninterrupted 2-rank RESUMED run (trained once per check)."""
    whole = os.path.join(folder, "resume-whole")
    if os.path.exists(os.path.join(whole, "checkpoint.safetensors")):
        return read_parameters(os.path.join(whole, "checkpoint.safetensors"))
    return train(ssm, RESUMED, whole, 2)


def start_and_wait_for_checkpoint(ssm, out):
    """Starts the 2-rank RESUMED run in `out` (its own process group) and returns once its first
    checkpoint exists."""
    process = subprocess.Popen(command(ssm, RESUMED + ["--out", out], 2), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    checkpoint = os.path.join(out, "checkpoint.safetensors")
    deadline = time.time() + 60
    while not os.path.exists(checkpoint) and time.time() < deadline and process.poll() is None:
        time.sleep(0.002)
    assert os.path.exists(checkpoint), "no checkpoint within 60 s"
    return process


def wait_for_stop(process, started):
    """The exit status, standard error and seconds since `started` of a job that must stop within
    STOP_BOUND seconds; a job still running then is killed (whole process group) and fails."""
    try:
        _, error = process.communicate(timeout=STOP_BOUND)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError(f"the job still ran {STOP_BOUND} s after the failure: the other ranks hang")
    return process.returncode, error, time.time() - started


def rank_processes(launcher):
    """{rank: pid} of the MPI processes below `launcher` (mpirun), from /proc: descendants whose
    environment holds OMPI_COMM_WORLD_RANK."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    ranks, pending = {}, [launcher]
    while pending:
        for pid in children.get(pending.pop(), []):
            pending.append(pid)
            try:
                with open(f"/proc/{pid}/environ", "rb") as handle:
                    variables = handle.read().split(b"\0")
            except OSError:
                continue
            for variable in variables:
                if variable.startswith(b"OMPI_COMM_WORLD_RANK="):
                    ranks[int(variable.split(b"=", 1)[1])] = pid
    return ranks


def check_resumes_to_the_uninterrupted_end(ssm, folder, out):
    """The checkpoint in `out` is whole and --resume with 2 ranks ends bit for bit where the
    uninterrupted run ends, metrics.jsonl included; returns the step it resumed from."""
    read_parameters(os.path.join(out, "checkpoint.safetensors"))
    with open(os.path.join(out, "metrics.jsonl")) as handle:
        stopped_at = len(handle.read().splitlines())
    assert stopped_at < 3000, "the run finished before it could be stopped"
    whole = uninterrupted(ssm, folder)
    resumed = train(ssm, RESUMED + ["--resume"], out, 2)
    for name in whole:
        assert np.array_equal(whole[name], resumed[name]), f"{name} differs after --resume"
    with open(os.path.join(folder, "resume-whole", "metrics.jsonl")) as a, open(
            os.path.join(out, "metrics.jsonl")) as b:
        assert a.read() == b.read(), "metrics.jsonl of the resumed run differs"
    return stopped_at


def check_resume(ssm, folder):
    killed = os.path.join(folder, "resume-killed")
    process = start_and_wait_for_checkpoint(ssm, killed)
    time.sleep(0.02)
    process.send_signal(signal.SIGTERM)  # mpirun forwards it to the ranks and stops them
    process.communicate(timeout=60)
    stopped_at = check_resumes_to_the_uninterrupted_end(ssm, folder, killed)
    return f"resume: stopped after ~{stopped_at} steps, resumed with 2 ranks: parameters and metrics bit for bit"


def check_rank_dies(ssm, folder, victim):
    """SIGKILL of rank `victim` mid-run (no chance to say anything or to finish a write)."""
    out = os.path.join(folder, f"rank-{victim}-dies")
    process = start_and_wait_for_checkpoint(ssm, out)
    time.sleep(0.3)
    ranks = rank_processes(process.pid)
    assert sorted(ranks) == [0, 1], f"ranks found below mpirun: {ranks}"
    killed_at = time.time()
    os.kill(ranks[victim], signal.SIGKILL)
    status, error, seconds = wait_for_stop(process, killed_at)
    survivor = 1 - victim
    assert status != 0, "exit status 0 after a rank died"
    assert f"process rank {victim}" in error, f"mpirun does not name rank {victim}: {error[-600:]!r}"
    expected = f"rank {survivor}: stopped by SIGTERM"
    assert expected in error and "--resume" in error, f"{expected!r} not in {error[-600:]!r}"
    stopped_at = check_resumes_to_the_uninterrupted_end(ssm, folder, out)
    return (f"rank {victim} killed at step ~{stopped_at}: job stopped in {seconds:.1f} s (bound {STOP_BOUND} s) "
            f"with rank {survivor}'s message; the checkpoint resumed to the uninterrupted end bit for bit")


def check_rank_fails(ssm, folder):
    """Rank 0 fails alone: its run directory is moved away, so its next checkpoint cannot be
    written; it must abort the job with its error, and the directory, moved back, must resume."""
    out = os.path.join(folder, "rank-fails")
    process = start_and_wait_for_checkpoint(ssm, out)
    moved = out + "-moved"
    os.rename(out, moved)
    failed_at = time.time()
    status, error, seconds = wait_for_stop(process, failed_at)
    os.rename(moved, out)
    assert status != 0, "exit status 0 after rank 0 failed"
    for expected in ["ssm: error: rank 0:", "cannot create a temporary file", "rank 1: stopped by SIGTERM"]:
        assert expected in error, f"{expected!r} not in {error[-600:]!r}"
    stopped_at = check_resumes_to_the_uninterrupted_end(ssm, folder, out)
    return (f"rank 0 failed (unwritable checkpoint) at step ~{stopped_at}: job stopped in {seconds:.1f} s with "
            f"rank 0's error and rank 1's message; resumed to the uninterrupted end bit for bit")


# `ssm rl` (GRPO on 1-digit addition) from a 1-step supervised checkpoint of a 12-token model.
RL_STEPS = 6
RL = ["--algorithm", "grpo", "--task", "addition", "--digits", "1", "--steps", str(RL_STEPS), "--prompts", "8",
      "--group-size", "8", "--learning-rate", "1e-3", "--kl-beta", "0.04", "--seed", "2",
      "--evaluation-examples", "16", "--evaluate-every", "3", "--checkpoint-every", "3"]
# Metrics that depend only on the sampled completions and on greedy decoding: equal exactly when
# every rank samples each prompt with its global seed (per-rank seeds give other completions).
RL_EXACT = ["rewardMean", "rewardStandardDeviation", "zeroStandardDeviationFraction", "meanCompletionLength",
            "clipFraction", "heldOutExactMatch"]


def rl_base(ssm, folder):
    """The supervised checkpoint `ssm rl` starts from (trained once per check)."""
    base = os.path.join(folder, "rl-base", "checkpoint.safetensors")
    if not os.path.exists(base):
        train(ssm, ["--model", "s4d", "--layers", "1", "--width", "16", "--task", "copying", "--alphabet", "10",
                    "--length", "24", "--batch", "8", "--steps", "1", "--seed", "1"], os.path.dirname(base), 1)
    return base


def rl(ssm, folder, out, ranks):
    launcher = [] if ranks == 1 else MPIRUN + ["-np", str(ranks)]
    arguments = RL + ["--checkpoint", rl_base(ssm, folder), "--out", out]
    result = subprocess.run(launcher + [ssm, "rl"] + arguments, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"ssm rl with {ranks} rank(s) failed: {result.stderr.strip()[-500:]}")
    with open(os.path.join(out, "metrics.jsonl")) as handle:
        records = [json.loads(line) for line in handle]
    return read_parameters(os.path.join(out, "checkpoint.safetensors")), records


def check_rl_matches_one_process(ssm, folder, ranks):
    single, single_records = rl(ssm, folder, os.path.join(folder, "rl-single"), 1)
    parallel, parallel_records = rl(ssm, folder, os.path.join(folder, f"rl-{ranks}"), ranks)
    assert len(single_records) == len(parallel_records) == RL_STEPS, "metrics.jsonl: not one line per step"
    for one, many in zip(single_records, parallel_records):
        for key in RL_EXACT:
            assert one.get(key) == many.get(key), f"step {one['step']} {key}: {one.get(key)} vs {many.get(key)}"
        # Loss and KL are sums over the tokens, added per rank in float32: relative 1e-5 (or 1e-7
        # absolute: the first update's loss is 0 up to rounding).
        for key in ["loss", "kl"]:
            assert abs(one[key] - many[key]) <= 1e-7 + 1e-5 * abs(one[key]), f"{key}: {one[key]} vs {many[key]}"
    difference = largest_relative_difference(single, parallel)
    assert difference <= RELATIVE_BOUND, f"max|Δθ|/max|θ| = {difference:.2e} > {RELATIVE_BOUND:.0e}"
    base = read_parameters(rl_base(ssm, folder))
    moved = float(np.median([float(np.max(np.abs(single[k] - base[k]))) / max(float(np.max(np.abs(single[k]))),
                                                                               1e-30) for k in single]))
    assert moved > 100 * RELATIVE_BOUND, f"GRPO moved the parameters by only {moved:.2e}"
    rewards = sum(record["rewardMean"] for record in single_records) / RL_STEPS
    return (f"rl: {ranks} ranks vs 1, same completions (mean reward {rewards:.3f}), max|Δθ|/max|θ| = "
            f"{difference:.2e} (the {RL_STEPS} steps moved the median tensor by {moved:.2e})")


# `ssm compare` with a token task and a feature task, two families; --batch 8 divides among 2 ranks.
COMPARE = ["--tasks", "copying,adding", "--models", "s4d,gru", "--lengths", "24", "--parameters", "4400",
           "--depth", "1", "--steps", str(STEPS), "--batch", "8", "--seed", "3", "--evaluation-examples", "32",
           "--latency-contexts", ""]


def compare(ssm, out, ranks):
    launcher = [] if ranks == 1 else MPIRUN + ["-np", str(ranks)]
    result = subprocess.run(launcher + [ssm, "compare"] + COMPARE + ["--out", out], capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"ssm compare with {ranks} rank(s) failed: {result.stderr.strip()[-500:]}")
    with open(os.path.join(out, "results.json")) as handle:
        return json.load(handle)["cells"], result.stdout


def check_compare_matches_one_process(ssm, folder, ranks):
    """Every cell of `mpirun -np K ssm compare` trains data-parallel: its per-step losses equal one
    process's up to the float32 bound, its test metric too (accuracy: the arg-max of logits that
    differ by rounding flips at a near-tie only, so at most one of the 32 × 10 scored positions;
    MSE: relative 1e-4); process 0 alone prints the summary."""
    single, _ = compare(ssm, os.path.join(folder, "compare-single"), 1)
    parallel, output = compare(ssm, os.path.join(folder, f"compare-{ranks}"), ranks)
    assert output.count("report: ") == 1, f"the summary is printed {output.count('report: ')} times"
    assert len(single) == len(parallel) == 4, "not one cell per task and model"
    for one, many in zip(single, parallel):
        name = f"{one['task']}/{one['model']}"
        assert one.get("error") is None and many.get("error") is None, f"{name}: {many.get('error')}"
        assert many["processes"] == ranks and one["processes"] == 1, f"{name}: processes {many['processes']}"
        assert len(one["losses"]) == len(many["losses"]) == STEPS, f"{name}: steps"
        for a, b in zip(one["losses"], many["losses"]):
            assert abs(a - b) <= RELATIVE_BOUND * abs(a), f"{name}: loss {a} vs {b}"
        if one["metric"] == "accuracy":
            assert abs(one["value"] - many["value"]) <= 1 / (32 * 10), f"{name}: {one['value']} vs {many['value']}"
        else:
            assert abs(one["value"] - many["value"]) <= 1e-4 * abs(one["value"]), f"{name}: {one['value']} vs {many['value']}"
    largest = max(abs(a - b) / abs(a) for one, many in zip(single, parallel) for a, b in zip(one["losses"], many["losses"]))
    return f"compare: {ranks} ranks vs 1, 4 cells, largest relative loss difference {largest:.2e}"


def check_rl_resume(ssm, folder):
    """`mpirun -np 2 ssm rl` stopped by SIGTERM after its first checkpoint, then resumed with
    --resume on 2 ranks, ends bit for bit where the uninterrupted 2-rank run ends (parameters and
    metrics.jsonl)."""
    steps = 120
    arguments = RL[:RL.index("--steps") + 1] + [str(steps)] + RL[RL.index("--steps") + 2:] + [
        "--checkpoint", rl_base(ssm, folder)]
    launch = MPIRUN + ["-np", "2", ssm, "rl"] + arguments
    whole, killed = os.path.join(folder, "rl-resume-whole"), os.path.join(folder, "rl-resume-killed")
    result = subprocess.run(launch + ["--out", whole], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"uninterrupted run failed: {result.stderr.strip()[-500:]}"
    process = subprocess.Popen(launch + ["--out", killed], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    checkpoint = os.path.join(killed, "checkpoint.safetensors")
    deadline = time.time() + 60
    while not os.path.exists(checkpoint) and time.time() < deadline and process.poll() is None:
        time.sleep(0.002)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    with open(os.path.join(killed, "metrics.jsonl")) as handle:
        stopped_at = len(handle.read().splitlines())
    assert 0 < stopped_at < steps, f"stopped after {stopped_at} of {steps} steps: nothing to resume"
    result = subprocess.run(launch + ["--out", killed, "--resume"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"--resume failed: {result.stderr.strip()[-500:]}"
    expected = read_parameters(os.path.join(whole, "checkpoint.safetensors"))
    resumed = read_parameters(checkpoint)
    for name in expected:
        assert np.array_equal(expected[name], resumed[name]), f"{name} differs after --resume"
    with open(os.path.join(whole, "metrics.jsonl")) as a, open(os.path.join(killed, "metrics.jsonl")) as b:
        assert a.read() == b.read(), "metrics.jsonl of the resumed run differs"
    return f"rl-resume: 2 ranks stopped after ~{stopped_at} steps, resumed: parameters and metrics bit for bit"


def check_refused(ssm, folder, name, launch, expected):
    result = subprocess.run(launch, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0, f"{name}: exit status 0"
    assert expected in result.stderr, f"{name}: {expected!r} not in {result.stderr.strip()[-400:]!r}"
    assert not os.path.exists(os.path.join(folder, name, "checkpoint.safetensors")), f"{name}: wrote a checkpoint"
    return f"{name}: refused ({expected!r})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ssm", required=True, help="path to the ssm binary")
    parser.add_argument("--only", help="comma-separated case names to run (default: all)")
    options = parser.parse_args()
    if shutil.which("mpirun") is None:
        print("check_data_parallel: mpirun not found (make deps installs openmpi-bin)", file=sys.stderr)
        return 1
    ssm = os.path.abspath(options.ssm)
    common = ["--layers", "1", "--width", "16", "--batch", "8", "--steps", str(STEPS), "--seed", "3"]
    copying = ["--task", "copying", "--length", "24"]
    cases = {
        "s4d-adamw-2": lambda f: check_matches_one_process(
            ssm, f, "s4d-adamw", ["--model", "s4d"] + copying + common, 2),
        "s4d-adamw-4": lambda f: check_matches_one_process(
            ssm, f, "s4d-adamw", ["--model", "s4d"] + copying + common, 4),
        "transformer-sgd-2": lambda f: check_matches_one_process(
            ssm, f, "transformer-sgd",
            ["--model", "transformer", "--optimizer", "sgd", "--learning-rate", "0.1"] + copying + common, 2),
        "gru-adding-2": lambda f: check_matches_one_process(
            ssm, f, "gru-adding", ["--model", "gru", "--task", "adding", "--length", "32"] + common, 2),
        "resume": lambda f: check_resume(ssm, f),
        "rank-1-dies": lambda f: check_rank_dies(ssm, f, 1),
        "rank-0-dies": lambda f: check_rank_dies(ssm, f, 0),
        "rank-fails": lambda f: check_rank_fails(ssm, f),
        "rl-2": lambda f: check_rl_matches_one_process(ssm, f, 2),
        "rl-4": lambda f: check_rl_matches_one_process(ssm, f, 4),
        "rl-resume": lambda f: check_rl_resume(ssm, f),
        "compare-2": lambda f: check_compare_matches_one_process(ssm, f, 2),
        "indivisible": lambda f: check_refused(
            ssm, f, "indivisible",
            command(ssm, ["--model", "s4d", "--batch", "5", "--steps", "2", "--length", "24", "--out",
                          os.path.join(f, "indivisible")], 2),
            "does not divide among 2 processes"),
        "mismatch": lambda f: check_refused(
            ssm, f, "mismatch",
            MPIRUN + ["-np", "1", ssm, "train", "--steps", "2", "--length", "24", "--seed", "0", "--out",
                      os.path.join(f, "mismatch"), ":", "-np", "1", ssm, "train", "--steps", "2", "--length", "24",
                      "--seed", "1", "--out", os.path.join(f, "mismatch")],
            "of rank 1 differs from rank 0's"),
        "rl-indivisible": lambda f: check_refused(
            ssm, f, "rl-indivisible",
            MPIRUN + ["-np", "2", ssm, "rl", "--prompts", "3", "--out", os.path.join(f, "rl-indivisible")]
            + RL[:RL.index("--prompts")] + RL[RL.index("--prompts") + 2:]
            + ["--checkpoint", rl_base(ssm, f)],
            "--prompts 3 does not divide among 2 processes"),
    }
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="ssm-data-parallel-") as folder:
        selected = options.only.split(",") if options.only else list(cases)
        unknown = [name for name in selected if name not in cases]
        if unknown:
            parser.error(f"unknown cases {unknown}; cases: {', '.join(cases)}")
        for name in selected:
            case = cases[name]
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
