#!/usr/bin/env python3
"""Independent check of `ssm constrain`: every seeded random member of a constraint's language
(10^4 per case) must fully match the constraint's regular expression under Python's `re`
(re.ASCII) and, for JSON Schemas, parse as JSON and validate under `jsonschema`; samples of JSON
Schemas must also keep the whitespace rule (no two spaces in a row outside strings).

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
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
