#!/usr/bin/env python3
"""End-to-end check of `ssm serve` with the official OpenAI Python SDK as the client.

Trains a small byte-level text model for a few steps, starts `ssm serve` on a free port of
127.0.0.1, and checks: non-streaming and streaming completions (greedy and sampled, n = 1 and 2)
give exactly the text of `ssm generate` with the same prompt, seed and sampling options (the
independent value: generate runs the model alone, without the engine or HTTP); a bad field and a
malformed body get 400 with an OpenAI-style error body; a full queue (--max-batch 1 --max-queue 1
under concurrent requests) answers 429 with Retry-After and every request gets a completion or a
429; SIGTERM during a streamed request lets it finish whole and the server exit 0.

Usage: check_serve.py --ssm PATH   (ends with "N passed, M failed", exit 1 on failure)"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

import openai
from openai import OpenAI

# Paragraphs (blank-line separated) are the documents that TextTask splits 80/10/10 by content hash.
CORPUS = "\n\n".join(f"the quick brown fox {i} jumps over the lazy dog; pack my box with {i} jugs." for i in range(200))


def train(ssm, folder):
    corpus = os.path.join(folder, "corpus.txt")
    with open(corpus, "w") as handle:
        handle.write(CORPUS)
    out = os.path.join(folder, "run")
    subprocess.run([ssm, "train", "--task", "text", "--corpus", corpus, "--model", "s4d", "--layers", "1",
                    "--width", "16", "--state-size", "4", "--length", "32", "--steps", "5", "--batch", "4",
                    "--out", out], check=True, capture_output=True)
    return os.path.join(out, "checkpoint.safetensors")


class Server:
    """`ssm serve` on a free port; the port is read from its first stdout line."""

    def __init__(self, ssm, checkpoint, *options):
        self.process = subprocess.Popen([ssm, "serve", "--checkpoint", checkpoint, "--port", "0", *options],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert "listening on http://" in line, f"no listening line: {line!r} {self.process.stderr.read()}"
        self.url = line.strip().split("listening on ")[1]
        self.client = OpenAI(base_url=self.url + "/v1", api_key="x", max_retries=0, timeout=60)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def generate(ssm, checkpoint, prompt, max_tokens, temperature, seed, n=1):
    arguments = [ssm, "generate", "--checkpoint", checkpoint, "--prompt", prompt, "--max-new-tokens", str(max_tokens),
                 "--json"]
    if temperature > 0:
        arguments += ["--strategy", "sample", "--temperature", str(temperature), "--seed", str(seed)]
        if n > 1:
            arguments += ["--num-return", str(n)]
    document = json.loads(subprocess.run(arguments, check=True, capture_output=True, text=True).stdout)
    return [item["text"] for item in (document if isinstance(document, list) else [document])]


def check_equals_generate(ssm, checkpoint, server):
    checked = []
    for prompt, max_tokens, temperature, seed, n in [("the quick", 24, 0, 0, 1), ("pack my", 30, 0.9, 7, 1),
                                                     ("the lazy", 20, 1.3, 11, 2)]:
        expected = generate(ssm, checkpoint, prompt, max_tokens, temperature, seed, n)
        whole = server.client.completions.create(model="m", prompt=prompt, max_tokens=max_tokens,
                                                 temperature=temperature, seed=seed, n=n)
        got = [choice.text for choice in sorted(whole.choices, key=lambda c: c.index)]
        assert got == expected, f"{prompt!r} T={temperature}: served {got!r}, generate {expected!r}"
        streamed = [""] * n
        for chunk in server.client.completions.create(model="m", prompt=prompt, max_tokens=max_tokens,
                                                      temperature=temperature, seed=seed, n=n, stream=True):
            for choice in chunk.choices:
                streamed[choice.index] += choice.text
        assert streamed == expected, f"{prompt!r} T={temperature} stream: {streamed!r}, generate {expected!r}"
        checked.append(f"{prompt!r} T={temperature} n={n}")
    return "served = streamed = ssm generate for " + ", ".join(checked)


def check_bad_requests(server):
    try:
        server.client.completions.create(model="m", prompt="x", max_tokens=4, top_p=2)
        raise AssertionError("top_p = 2 was accepted")
    except openai.BadRequestError as error:
        assert error.status_code == 400 and error.body["param"] == "top_p", error.body
    request = urllib.request.Request(server.url + "/v1/completions", data=b'{"prompt": "x", ', method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request)
        raise AssertionError("malformed JSON was accepted")
    except urllib.error.HTTPError as error:
        body = json.loads(error.read())
        assert error.code == 400 and set(body["error"]) == {"message", "type", "param", "code"}, body
    return "top_p = 2 and malformed JSON: 400 with an OpenAI error body"


def check_queue_full(ssm, checkpoint):
    server = Server(ssm, checkpoint, "--max-batch", "1", "--max-queue", "1")
    outcomes = []

    def one():
        try:
            server.client.completions.create(model="m", prompt="the", max_tokens=300, temperature=0)
            outcomes.append("completed")
        except openai.RateLimitError as error:
            outcomes.append("429" if error.response.headers.get("retry-after") else "429 without Retry-After")
        except Exception as error:  # noqa: BLE001 - any other outcome is a failure of the check
            outcomes.append(f"failed: {error!r}")

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    status = server.stop()
    assert set(outcomes) <= {"completed", "429"} and "429" in outcomes and "completed" in outcomes, outcomes
    assert status == 0, f"exit status {status}"
    return f"8 concurrent requests, --max-batch 1 --max-queue 1: {outcomes.count('completed')} completed, " \
           f"{outcomes.count('429')} got 429 with Retry-After"


def check_shutdown(ssm, checkpoint):
    server = Server(ssm, checkpoint)
    stream = server.client.completions.create(model="m", prompt="the", max_tokens=400, temperature=0, stream=True)
    text, finish = "", None
    for index, chunk in enumerate(stream):
        if index == 0:
            server.process.send_signal(signal.SIGTERM)
        text += chunk.choices[0].text
        finish = chunk.choices[0].finish_reason or finish
    status = server.process.wait(timeout=30)
    expected = generate(ssm, checkpoint, "the", 400, 0, 0)[0]
    assert text == expected and finish is not None, f"cut stream: {len(text)} of {len(expected)} characters"
    assert status == 0, f"exit status {status}: {server.process.stderr.read()}"
    return f"SIGTERM mid-stream: the stream finished whole ({finish}), exit status 0"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ssm", required=True)
    ssm = parser.parse_args().ssm
    passed = failed = 0
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = train(ssm, folder)
        server = Server(ssm, checkpoint)
        checks = [lambda: check_equals_generate(ssm, checkpoint, server), lambda: check_bad_requests(server),
                  lambda: "server exit status 0" if server.stop() == 0 else "", lambda: check_queue_full(ssm, checkpoint),
                  lambda: check_shutdown(ssm, checkpoint)]
        for check in checks:
            try:
                message = check()
                assert message, "non-zero exit status"
                print(f"ok: {message}")
                passed += 1
            except Exception as error:  # noqa: BLE001 - report every failed check, then exit 1
                print(f"FAILED: {error!r}")
                failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
