"""Independent cross-checks of the Swift `Checkpoint` target against the Python `safetensors`
package (the reference implementation's bindings). Run by hand, never by `make test`:

    python3 -m pip install -q safetensors numpy
    python3 Tests/CheckpointTests/Fixtures/fixtures.py generate   # writes python_golden.safetensors
    python3 Tests/CheckpointTests/Fixtures/fixtures.py check      # checks swift_encoded.safetensors

`generate` writes the golden file that CheckpointTests reads (the expected values are
repeated in InteropTests.swift). `check` loads the file that the Swift encoder produced
(InteropTests.swift compares the encoder's output with it byte for byte) and checks every
value, the metadata and the header layout.
"""
import json
import os
import struct
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def generate():
    tensors = {
        "encoder.weight": np.array([[1.5, -0.25, 3.0], [0.1, -1e-8, 65504.0]], dtype=np.float32),
        "encoder.bias": np.array(0.5, dtype=np.float32),  # a scalar, shape ()
        "decoder.scale": np.array([np.pi, -0.0, 1e-300, 2.5e300], dtype=np.float64),
        "step": np.array([-(2**63), 2**63 - 1, -1, 0, 42], dtype=np.int64),
        "half": np.array([1.0, -2.5, 65504.0, 6e-8], dtype=np.float16),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "counts": np.array([[1, 2], [3, 255]], dtype=np.uint8),
        "mask": np.array([True, False, True]),
    }
    metadata = {"format": "np", "model": "s4d-tiny", "note": "ünïcode ✓ \"quoted\""}
    path = os.path.join(HERE, "python_golden.safetensors")
    save_file(tensors, path, metadata=metadata)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def check():
    path = os.path.join(HERE, "swift_encoded.safetensors")
    expected = {
        "layer.A": np.array([[-0.5, 0.25, 1e-3], [3.4028235e38, -0.0, 1.17549435e-38]], dtype=np.float32),
        "layer.log_dt": np.array([-6.907755278982137, -2.302585092994046], dtype=np.float64),
        "step": np.array(1234567890123, dtype=np.int64),
        "seen": np.array([0, 2**64 - 1], dtype=np.uint64),
        "empty": np.zeros((0, 4), dtype=np.float32),
        "ids": np.array([[-7, 2147483647]], dtype=np.int32),
        "half": np.array([1.0, -2.0], dtype=np.float16),
        "flags": np.array([True, False]),
    }
    expected_metadata = {"format": "pt", "producer": "swift-ssm Checkpoint", "unicode": "λ ✓"}
    failures = []

    loaded = load_file(path)
    if sorted(loaded) != sorted(expected):
        failures.append(f"names {sorted(loaded)} != {sorted(expected)}")
    for name, want in expected.items():
        got = loaded.get(name)
        if got is None:
            continue
        if got.dtype != want.dtype or got.shape != want.shape:
            failures.append(f"{name}: {got.dtype}{got.shape} != {want.dtype}{want.shape}")
        elif got.tobytes() != want.tobytes():
            failures.append(f"{name}: values {got!r} != {want!r}")
    with safe_open(path, framework="np") as f:
        if f.metadata() != expected_metadata:
            failures.append(f"metadata {f.metadata()!r} != {expected_metadata!r}")

    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header_text = raw[8 : 8 + n].decode("utf-8")
    if n % 8 != 0 or header_text != header_text.rstrip(" ") + " " * (n - len(header_text.rstrip(" ").encode())):
        failures.append(f"header length {n} not a multiple of 8 or not space-padded")
    header = json.loads(header_text)
    keys = list(header)
    if keys[0] != "__metadata__" or keys[1:] != sorted(keys[1:]):
        failures.append(f"header key order {keys}")
    offset = 0
    for name in keys[1:]:
        begin, end = header[name]["data_offsets"]
        if begin != offset:
            failures.append(f"{name}: data at {begin}, expected {offset} (name order, no gaps)")
        offset = end
    if 8 + n + offset != len(raw):
        failures.append(f"data section is {len(raw) - 8 - n} bytes, tensors cover {offset}")

    for failure in failures:
        print("FAIL", failure)
    print(f"{path}: {'OK' if not failures else f'{len(failures)} failures'} "
          f"({len(expected)} tensors, {len(raw)} bytes, header {n} bytes)")
    return 1 if failures else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "generate":
        generate()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(__doc__)
