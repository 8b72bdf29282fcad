#!/usr/bin/env python3
"""Independent check of `ssm constrain`: every seeded random member of a constraint's language
(10^4 per case) must fully match the constraint's regular expression under Python's `re`
(re.ASCII) and, for JSON Schemas, parse as JSON and validate under `jsonschema`; samples of JSON
Schemas must also keep the whitespace rule (no two spaces in a row outside strings).

`ssm extract` is checked the same way: a tiny byte-level model extracts records from a few texts,
constrained and unconstrained; every record's `valid` flag must equal jsonschema's verdict on the
output (invalid when it is not JSON), every constrained record must be valid, and no text may be
left without its line.

`ssm generate --draft --regex` (speculative decoding, draft and target masked alike) is checked the
same way: tiny byte-level transformer target and S4D draft, greedy and sampled outputs; every
output must be a full match of the pattern under Python's `re` followed by the stop token.

Usage: check_constraints.py --ssm PATH   (ends with "N passed, M failed", exit 1 on failure)"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema

REGEXES = [
    r"(ab|c){1,3}",
    r"[a-z]{2,6}@[a-z]+\.(com|org)",
    r"-?\d{1,4}(\.\d{1,2})?",
    r"(?:[^\n]|\n\w){0,12}",
    r"[à-ÿ日本]+|😀{2}|\W\S",
]
SCHEMAS = [
    {"type": "object", "properties": {"name": {"type": "string", "maxLength": 8},
                                      "age": {"type": "integer"},
                                      "tags": {"type": "array", "items": {"type": "string", "minLength": 1},
                                               "maxItems": 3},
                                      "kind": {"enum": ["a", "b", 3, None]}},
     "required": ["name", "age"]},
    {"type": "array", "items": {"anyOf": [{"type": "number"}, {"type": "boolean"}, {"type": "null"}]},
     "minItems": 1, "maxItems": 4},
    {"type": "object", "properties": {"id": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}$"},
                                      "nested": {"type": "object",
                                                 "properties": {"x": {"const": 1}, "y": {"type": ["string", "null"]}}}},
     "required": ["id"], "additionalProperties": False},
]
SAMPLES = 10_000


def outside_strings(text):
    """The JSON text with string contents removed."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)


EXTRACTION = {
    "name": "person",
    "record": {"type": "object",
               "properties": {"name": {"type": "string", "maxLength": 10, "description": "first name"},
                              "age": {"type": "integer"},
                              "tags": {"type": "array", "items": {"enum": ["x", "y"]}, "maxItems": 2}},
               "required": ["name"], "additionalProperties": False},
    "examples": [{"text": "Ada is 36.", "record": {"name": "Ada", "age": 36}}],
}
TEXTS = ["Alan is 41.", "Grace, 85", "Bo", "Linus (x) is 29 and y."]


def check_extraction(ssm):
    """Failures of `ssm extract` against jsonschema, as a list of messages."""
    failures = []
    with tempfile.TemporaryDirectory() as directory:
        train = subprocess.run([ssm, "train", "--model", "gru", "--alphabet", "254", "--count", "2", "--layers", "1",
                                "--width", "8", "--length", "30", "--steps", "2", "--batch", "2", "--out", directory],
                               capture_output=True, text=True)
        if train.returncode != 0:
            return [f"train: {train.stderr.strip()}"]
        schema_path = os.path.join(directory, "schema.json")
        texts_path = os.path.join(directory, "texts.jsonl")
        with open(schema_path, "w") as handle:
            json.dump(EXTRACTION, handle)
        with open(texts_path, "w") as handle:
            handle.write("".join(json.dumps({"text": text}) + "\n" for text in TEXTS))
        for mode, extra in [("--constrained", []), ("--constrained", ["--temperature", "2"]),
                            ("--unconstrained", []), ("--unconstrained", ["--temperature", "1.5"])]:
            run = subprocess.run([ssm, "extract", "--checkpoint", os.path.join(directory, "checkpoint.safetensors"),
                                  "--schema", schema_path, "--input", texts_path, "--max-new-tokens", "64", mode,
                                  "--json"] + extra, capture_output=True, text=True)
            if run.returncode != 0:
                failures.append(f"extract {mode} {extra}: {run.stderr.strip()}")
                continue
            lines = [json.loads(line) for line in run.stdout.splitlines()]
            if [line["text"] for line in lines] != TEXTS:
                failures.append(f"extract {mode} {extra}: texts {[line['text'] for line in lines]}")
            for line in lines:
                try:
                    record = json.loads(line["output"])
                    jsonschema.validate(record, EXTRACTION["record"])
                    valid = True
                except (ValueError, jsonschema.ValidationError):
                    valid = False
                if line["valid"] != valid or (mode == "--constrained" and not valid):
                    failures.append(f"extract {mode} {extra}: {line} (jsonschema: {valid})")
                elif valid and line["record"] != record:
                    failures.append(f"extract {mode} {extra}: record {line['record']} != {record}")
    return failures


SPECULATIVE_REGEXES = REGEXES[:3] + REGEXES[4:]  # not the one whose language holds the stop byte \n
SPECULATIVE_SAMPLES = 20


def check_speculative(ssm):
    """Failures of `ssm generate --draft --regex` against Python's `re`, as a list of messages."""
    failures = []
    with tempfile.TemporaryDirectory() as directory:
        checkpoints = {}
        for role, model in [("target", ["transformer", "--heads", "2", "--positions", "rotary"]),
                            ("draft", ["s4d", "--state-size", "4"])]:
            out = os.path.join(directory, role)
            train = subprocess.run([ssm, "train", "--model"] + model + ["--alphabet", "254", "--layers", "1",
                                   "--width", "16", "--length", "30", "--steps", "2", "--batch", "2", "--out", out],
                                   capture_output=True, text=True)
            if train.returncode != 0:
                return [f"train {role}: {train.stderr.strip()}"]
            checkpoints[role] = os.path.join(out, "checkpoint.safetensors")
        for seed, regex in enumerate(SPECULATIVE_REGEXES):
            base = [ssm, "generate", "--checkpoint", checkpoints["target"], "--draft", checkpoints["draft"],
                    "--prompt", "x", "--max-new-tokens", "48", f"--regex={regex}", "--stop-token", "10", "--json"]
            outputs = []
            for extra in [["--draft-tokens", "3"],
                          ["--strategy", "sample", "--temperature", "1.5", "--num-return", str(SPECULATIVE_SAMPLES),
                           "--draft-tokens", "adaptive", "--seed", str(seed)]]:
                run = subprocess.run(base + extra, capture_output=True, text=True)
                if run.returncode != 0:
                    failures.append(f"generate --draft --regex {regex} {extra}: {run.stderr.strip()}")
                    continue
                document = json.loads(run.stdout)
                outputs += document if isinstance(document, list) else [document]
            for output in outputs:
                tokens = output["tokens"]
                text = bytes(tokens[:-1]).decode("utf-8", errors="replace")
                if tokens[-1:] != [10] or not re.fullmatch(regex, text, re.ASCII):
                    failures.append(f"generate --draft --regex {regex}: output {text!r} (tokens {tokens})")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ssm", required=True)
    args = parser.parse_args()
    passed = failed = 0
    cases = [("--regex", r, None) for r in REGEXES] + [("--json-schema", None, s) for s in SCHEMAS]
    for seed, (flag, regex, schema) in enumerate(cases):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(schema, handle)
            schema_path = handle.name
        value = regex if regex is not None else schema_path
        run = subprocess.run([args.ssm, "constrain", f"{flag}={value}", "--samples", str(SAMPLES), "--seed", str(seed),
                              "--json"], capture_output=True, text=True)
        os.unlink(schema_path)
        if run.returncode != 0:
            print(f"FAIL {flag} {value}: {run.stderr.strip()}")
            failed += 1
            continue
        document = json.loads(run.stdout)
        bad = []
        for text in document["samples"]:
            if not re.fullmatch(document["regex"], text, re.ASCII):
                bad.append(("regex", text))
            elif regex is not None and not re.fullmatch(regex, text, re.ASCII):
                bad.append(("pattern", text))
            elif schema is not None:
                try:
                    jsonschema.validate(json.loads(text), schema)
                except (ValueError, jsonschema.ValidationError) as error:
                    bad.append((str(error).splitlines()[0], text))
                    continue
                if "  " in outside_strings(text):
                    bad.append(("two spaces", text))
        name = regex if regex is not None else json.dumps(schema)[:60]
        distinct = len(set(document["samples"]))
        if bad or len(document["samples"]) != SAMPLES:
            print(f"FAIL {name}: {len(bad)} of {len(document['samples'])} samples invalid, e.g. {bad[:3]}")
            failed += 1
        else:
            print(f"ok   {name}: {SAMPLES} samples valid ({distinct} distinct)")
            passed += 1
    failures = check_extraction(args.ssm)
    if failures:
        print(f"FAIL ssm extract: {len(failures)} problems, e.g. {failures[:3]}")
        failed += 1
    else:
        print("ok   ssm extract: every valid flag agrees with jsonschema, every constrained record valid")
        passed += 1
    failures = check_speculative(args.ssm)
    if failures:
        print(f"FAIL ssm generate --draft --regex: {len(failures)} problems, e.g. {failures[:3]}")
        failed += 1
    else:
        print(f"ok   ssm generate --draft --regex: greedy and {SPECULATIVE_SAMPLES} samples per pattern match under re")
        passed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
