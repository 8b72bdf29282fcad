import Foundation
import SSMJSON
import TestSupport

/// Python's `re.fullmatch(pattern, text, re.ASCII)` for every (pattern, texts) case, through one
/// `python3` process: the independent matcher the automata are compared against.
func pythonFullMatches(_ cases: [(pattern: String, texts: [String])]) throws -> [[Bool]] {
  let input = JSONValue.array(
    cases.map { .object([("pattern", .string($0.pattern)), ("texts", .array($0.texts.map(JSONValue.string)))]) })
  let path = temporaryPath("constraints-python").appendingPathExtension("json")
  try input.serialized.write(to: path, atomically: true, encoding: .utf8)
  defer { try? FileManager.default.removeItem(at: path) }
  let script = """
    import json, re, sys
    cases = json.load(open(sys.argv[1], encoding="utf-8"))
    print(json.dumps([[re.fullmatch(c["pattern"], t, re.ASCII) is not None for t in c["texts"]] for c in cases]))
    """
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["python3", "-c", script, path.path]
  let output = Pipe()
  process.standardOutput = output
  try process.run()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else { throw PythonReferenceError.failed(process.terminationStatus) }
  guard case .array(let rows) = try JSONParser.parse(String(decoding: data, as: UTF8.self)) else {
    throw PythonReferenceError.unreadable
  }
  return rows.map { row in
    guard case .array(let flags) = row else { return [] }
    return flags.map { $0 == .bool(true) }
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
