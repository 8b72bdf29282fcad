import Foundation
import LinearAlgebra
import Numerics
import SSMJSON

/// Reads and parses the JSON document in `path`.
func readJSONFile(_ path: String) throws -> JSONValue {
  let data: Data
  do {
    data = try Data(contentsOf: URL(fileURLWithPath: path))
  } catch {
    throw InputError.unreadableFile(path: path, reason: "no such file or not readable")
  }
  guard let text = String(data: data, encoding: .utf8) else {
    throw InputError.unreadableFile(path: path, reason: "not UTF-8 text")
  }
  return try JSONParser.parse(text)
}

/// The contents of the file at `path` as UTF-8 text, after the memory check of a JSON input.
func readUTF8File(_ path: String) throws -> String {
  try MemoryBudget.check(.jsonFile(path))
  do {
    return try String(contentsOfFile: path, encoding: .utf8)
  } catch {
    throw InputError.unreadableFile(path: path, reason: "no such file, not readable or not UTF-8 text")
  }
}

/// The non-blank lines of the JSONL file at `path`, each parsed as JSON, with its line number
/// (from 1).
/// - Throws: ``InputError/unreadableFile(path:reason:)``, or ``InputError/invalidLine(path:line:reason:)``
///   for a line that is not JSON.
func readJSONLines(_ path: String) throws -> [(line: Int, value: JSONValue)] {
  var documents: [(line: Int, value: JSONValue)] = []
  for (index, line) in try readUTF8File(path).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
  where !line.allSatisfy(\.isWhitespace) {
    do {
      documents.append((index + 1, try JSONParser.parse(String(line))))
    } catch {
      throw InputError.invalidLine(path: path, line: index + 1, reason: "\(error)")
    }
  }
  return documents
}

/// Reads a matrix given as a list of equally long rows.
func readComplexMatrix(_ value: JSONValue, name: String) throws -> Matrix<Complex<Double>> {
  let rows = try value.complexRows(path: name)
  do {
    return try Matrix(rowArrays: rows)
  } catch let error as LinearAlgebraError {
    throw JSONError.invalidValue(path: name, expected: "a rectangular matrix (\(error))")
  }
}

/// Reads a vector given either flat (`[b0, b1, …]`) or as a column
/// (`[[b0], [b1], …]`, as `numpy`'s `B[:, None].tolist()` writes it).
func readComplexVector(_ value: JSONValue, name: String) throws -> [Complex<Double>] {
  if case .array(let entries) = value, !entries.isEmpty,
    entries.allSatisfy({ if case .array(let row) = $0 { return row.count == 1 } else { return false } })
  {
    return try entries.enumerated().map { index, entry in
      guard case .array(let row) = entry else { fatalError("checked above") }
      return try row[0].scalar(path: "\(name)[\(index)][0]")
    }
  }
  return try value.complexVector(path: name)
}
