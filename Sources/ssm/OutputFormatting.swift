import Foundation
import LinearAlgebra
import Numerics
import SSMJSON

/// Prints a command's result: the JSON document with `--json`, the
/// human-readable text otherwise. A result with a non-finite number (an
/// overflow, e.g. `e^{dt·A}` for a huge step) is an error, never printed.
func emit(_ document: JSONValue, json: Bool, human: () -> Void) throws {
  guard document.isFinite else { throw InputError.nonFiniteResult }
  if json { print(document.serialized) } else { human() }
}

/// A real number in fixed-width human-readable form.
func formatReal(_ value: Double) -> String {
  String(format: "%12.6f", value)
}

/// A complex number in human-readable form `a ± bi`.
func formatComplex(_ value: Complex<Double>) -> String {
  String(format: "%12.6f %@ %10.6fi", value.real, value.imaginary.sign == .minus ? "-" : "+", abs(value.imaginary))
}

/// A titled real matrix, one row per line.
func describeMatrix(_ title: String, _ matrix: Matrix<Double>) -> String {
  var lines = ["\(title) (\(matrix.rows) × \(matrix.columns)):"]
  for i in 0..<matrix.rows { lines.append(matrix.row(i).map(formatReal).joined(separator: " ")) }
  return lines.joined(separator: "\n")
}

/// A titled real vector on one line.
func describeVector(_ title: String, _ vector: [Double]) -> String {
  "\(title) (\(vector.count)):\n" + vector.map(formatReal).joined(separator: " ")
}

/// A titled complex vector, one entry per line.
func describeComplexVector(_ title: String, _ vector: [Complex<Double>]) -> String {
  (["\(title) (\(vector.count)):"] + vector.map(formatComplex)).joined(separator: "\n")
}
