import Foundation
import SSMJSON
import TestSupport

/// Runs the Python `script` with the path of a temporary file holding `input` (JSON) as its
/// argument and parses what it prints as JSON.
private func runPython(_ script: String, input: JSONValue) throws -> JSONValue {
  let path = temporaryPath("constraints-python").appendingPathExtension("json")
  try input.serialized.write(to: path, atomically: true, encoding: .utf8)
  defer { try? FileManager.default.removeItem(at: path) }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["python3", "-c", script, path.path]
  let output = Pipe()
  process.standardOutput = output
  try process.run()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else { throw PythonReferenceError.failed(process.terminationStatus) }
  return try JSONParser.parse(String(decoding: data, as: UTF8.self))
}

/// Python's `re.fullmatch(pattern, text, re.ASCII)` for every (pattern, texts) case, through one
/// `python3` process: the independent matcher the automata are compared against.
func pythonFullMatches(_ cases: [(pattern: String, texts: [String])]) throws -> [[Bool]] {
  let input = JSONValue.array(
    cases.map { .object([("pattern", .string($0.pattern)), ("texts", .array($0.texts.map(JSONValue.string)))]) })
  let script = """
    import json, re, sys
    cases = json.load(open(sys.argv[1], encoding="utf-8"))
    print(json.dumps([[re.fullmatch(c["pattern"], t, re.ASCII) is not None for t in c["texts"]] for c in cases]))
    """
  guard case .array(let rows) = try runPython(script, input: input) else { throw PythonReferenceError.unreadable }
  return rows.map { row in
    guard case .array(let flags) = row else { return [] }
    return flags.map { $0 == .bool(true) }
  }
}

/// Python `jsonschema`'s verdict (Draft 2020-12) on every (schema, instance texts) case, through
/// one `python3` process: `nil` where Python's `json.loads` rejects the text.
func pythonSchemaValidity(_ cases: [(schema: String, instances: [String])]) throws -> [[Bool?]] {
  let input = JSONValue.array(
    cases.map { .object([("schema", .string($0.schema)), ("instances", .array($0.instances.map(JSONValue.string)))]) })
  let script = """
    import json, sys, jsonschema
    def verdict(validator, text):
        try:
            instance = json.loads(text)
        except ValueError:
            return None
        return validator.is_valid(instance)
    cases = json.load(open(sys.argv[1], encoding="utf-8"))
    validators = [jsonschema.Draft202012Validator(json.loads(c["schema"])) for c in cases]
    print(json.dumps([[verdict(v, t) for t in c["instances"]] for v, c in zip(validators, cases)]))
    """
  guard case .array(let rows) = try runPython(script, input: input) else { throw PythonReferenceError.unreadable }
  return rows.map { row in
    guard case .array(let verdicts) = row else { return [] }
    return verdicts.map { if case .bool(let valid) = $0 { valid } else { nil } }
  }
}

enum PythonReferenceError: Error {
  case failed(Int32)
  case unreadable
}

/// Every string over `alphabet` of length `0 ... maximumLength`.
func allStrings(over alphabet: [String], maximumLength: Int) -> [String] {
  var all = [""]
  var layer = [""]
  for _ in 0..<maximumLength {
    layer = layer.flatMap { prefix in alphabet.map { prefix + $0 } }
    all += layer
  }
  return all
}
