"""Shared, math-free harness of the `ssm` reference checkers (check_cli.py and
check_kernels.py).

Only the plumbing lives here: running the binary on a case, writing its input files,
recording pass/fail, the checks of bad-input cases, the decoding of JSON numbers, the
per-family loop and the final ``N passed, M failed`` line.  Every reference
implementation, every tolerance and the reasoning behind it stay in the checker scripts
themselves, so each reference remains independent of the Swift sources and of the other
checker.  The scripts import this module from their own directory:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from reference_harness import ...
"""
from __future__ import annotations

import json
import math
import os
import shlex
import subprocess
import sys
import time
import traceback

import numpy as np

# Seconds one invocation of the binary may take before the case fails.
RUN_TIMEOUT_S = 60


# ======================================================================================
# JSON output parsing
# ======================================================================================

class OutputError(Exception):
    """The binary's output does not have the documented form."""


def is_number(x):
    """A JSON number (json.loads gives int or float; bool is not a number)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def decode_complex(value):
    """A plain JSON number or an [re, im] pair as a Python complex; None otherwise."""
    if is_number(value):
        return complex(value)
    if isinstance(value, list) and len(value) == 2 and all(map(is_number, value)):
        return complex(value[0], value[1])
    return None


def field(obj, key):
    if key not in obj:
        raise OutputError(f"missing key {key!r}")
    return obj[key]


def fmt(x):
    """Exact (round-trip) decimal representation of a float for the command line."""
    return repr(float(x))


# ======================================================================================
# Running cases
# ======================================================================================

class Case:
    """One invocation of the binary; it passes iff every check made on its output passes."""

    def __init__(self, argv, labels=None):
        self.argv = list(argv)
        self.labels = labels or {}          # temp path -> human description
        self.failures = []                  # (quantity, err, tol, ratio)
        self.worst = (0.0, "")              # largest err / tol of a passing comparison

    def command(self):
        parts = [self.labels.get(a, shlex.quote(a)) for a in self.argv]
        return "ssm " + " ".join(parts)

    def fail(self, quantity, err, tol, ratio=math.inf):
        self.failures.append((quantity, err, tol, ratio))

    def close(self, quantity, out, ref, rtol, scale=None):
        """max|out - ref| / scale <= rtol (scale defaults to max|ref|)."""
        out, ref = np.asarray(out), np.asarray(ref)
        if out.shape != ref.shape:
            self.fail(quantity, f"shape {out.shape} != {ref.shape}", rtol)
            return
        if out.size == 0:
            return
        if not np.all(np.isfinite(out)):
            self.fail(quantity, "non-finite value", rtol)
            return
        if scale is None:
            scale = float(np.max(np.abs(ref)))
        if not scale > 0:
            scale = 1.0
        err = float(np.max(np.abs(out - ref))) / scale
        if not err <= rtol:
            self.fail(quantity, err, rtol, err / rtol)
        elif err / rtol > self.worst[0]:
            self.worst = (err / rtol, quantity)

    def require(self, quantity, condition, detail, expected="-"):
        if not condition:
            self.fail(quantity, detail, expected)


class Checker:
    """Runs cases against the binary `ssm`, writing their inputs under `tmpdir`, and
    counts passed / failed cases (one line per failing case; -v: one per case)."""

    def __init__(self, ssm, tmpdir, verbose):
        self.ssm = ssm
        self.tmpdir = tmpdir
        self.verbose = verbose
        self.passed = 0
        self.failed = 0
        self._nfile = 0

    # ---- files ----
    def write_file(self, content):
        """Write a JSON object (json.dumps, so NaN/Infinity literals) or raw text."""
        self._nfile += 1
        path = os.path.join(self.tmpdir, f"input{self._nfile}.json")
        with open(path, "w") as fh:
            fh.write(content if isinstance(content, str) else json.dumps(content))
        return path

    # ---- process ----
    def run(self, argv):
        try:
            proc = subprocess.run([self.ssm] + list(argv), capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return None, "", f"timeout after {RUN_TIMEOUT_S} s"
        except OSError as exc:
            return None, "", f"could not execute: {exc}"
        return proc.returncode, proc.stdout, proc.stderr

    def run_json(self, argv):
        """Run a command whose output a checker needs as input; its failure is a failure
        of the checker's preconditions, so it raises."""
        rc, out, err = self.run(argv)
        if rc != 0:
            raise RuntimeError(f"ssm {' '.join(argv)} failed (rc={rc}): {err.strip()[:200]}")
        return json.loads(out)

    # ---- outcomes ----
    def record(self, case):
        if not case.failures:
            self.passed += 1
            if self.verbose:
                print(f"ok    {case.command()}")
            return
        self.failed += 1
        # Non-numeric failures (ratio inf) sort first, then by err / tol.
        worst = [f for f in case.failures if f[3] == math.inf] + \
                sorted([f for f in case.failures if f[3] != math.inf], key=lambda f: -f[3])
        shown = case.failures if self.verbose else worst[:1]
        more = "" if self.verbose or len(case.failures) == 1 else \
            f" (+{len(case.failures) - 1} more)"
        for quantity, err, tol, _ in shown:
            err_s = f"{err:.3e}" if isinstance(err, float) else str(err)
            tol_s = f"{tol:.1e}" if isinstance(tol, float) else str(tol)
            print(f"FAIL  {case.command()}  |  {quantity}: max err {err_s}, tol {tol_s}{more}")

    def valid_case(self, case, check):
        """Run a case whose input is valid; `check(obj, case)` compares the output."""
        rc, out, err = self.run(case.argv)
        if rc != 0:
            first = (err.strip().splitlines() or ["<empty stderr>"])[0][:200]
            case.fail("exit status", f"rc={rc}: {first}", "rc=0")
        else:
            try:
                obj = json.loads(out)
                if not isinstance(obj, dict):
                    raise OutputError("top-level JSON value is not an object")
                check(obj, case)
            except json.JSONDecodeError as exc:
                case.fail("stdout", f"invalid JSON ({exc})", "JSON object")
            except OutputError as exc:
                case.fail("output format", str(exc), "contract")
            except Exception as exc:  # noqa: BLE001 - never let one case crash the run
                case.fail("checker exception", f"{type(exc).__name__}: {exc}", "-")
                if self.verbose:
                    traceback.print_exc()
        self.record(case)

    def bad_case(self, case):
        """The input is invalid: expect exit status > 0 and a non-empty stderr."""
        rc, _, err = self.run(case.argv)
        if rc is None:
            case.fail("exit status", err, "> 0")
        elif rc < 0:
            case.fail("exit status", f"killed by signal {-rc}", "> 0 (no crash)")
        elif rc == 0:
            case.fail("exit status", "0 (bad input accepted)", "> 0")
        elif not err.strip():
            case.fail("stderr", "empty", "an error message")
        self.record(case)


# ======================================================================================
# Driver
# ======================================================================================

def executable_error(path):
    """Print why `path` cannot be the binary and return exit status 2; None if it can."""
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return None
    print(f"error: {path} is not an executable file", file=sys.stderr)
    return 2


def run_families(ck, families, verbose):
    """Run each (name, generate) in turn; -v prints each family's case count and time."""
    for name, generate in families:
        start, before = time.perf_counter(), ck.passed + ck.failed
        generate()
        if verbose:
            print(f"# {name}: {ck.passed + ck.failed - before} cases, "
                  f"{time.perf_counter() - start:.1f} s")


def finish(ck):
    """Print the final ``N passed, M failed`` line; exit status 0 iff nothing failed."""
    print(f"{ck.passed} passed, {ck.failed} failed")
    return 0 if ck.failed == 0 else 1
