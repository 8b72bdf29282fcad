import ArgumentParser
import FFT
import LinearAlgebra
import Numerics
import S4
import SSMJSON

/// The arithmetic a kernel or run command uses.
enum Precision: String, CaseIterable, ExpressibleByArgument {
  case float32, float64
}

/// The options of the commands that read a system from a file (`kernel`, `run`).
struct SystemFileOptions: ParsableArguments {
  @Option(help: "A JSON file describing the system (see `ssm kernel --help`).")
  var input: String

  @Option(help: "Arithmetic: float64 (reference) or float32 (fast path).")
  var precision: Precision = .float64
}

/// A state space system read from the JSON interface of `ssm kernel` / `ssm run`.
///
/// `{"kind": "diagonal", "lambda", "B", "C", "dt", "discretization"?}`,
/// `{"kind": "dplr", "lambda", "P", "B", "C", "dt"}` (bilinear, P is rank × N/2) or
/// `{"kind": "discrete", "Abar", "Bbar", "C"}`; each with `"length"` where needed.
enum SystemInput {
  case diagonal(DiagonalSSM)
  case dplr(DPLRSSM)
  case discrete(DiscreteSSM)

  /// The keys every kind understands, besides those the command adds.
  static let keysByKind: [String: [String]] = [
    "diagonal": ["kind", "lambda", "B", "C", "dt", "length", "discretization"],
    "dplr": ["kind", "lambda", "P", "B", "C", "dt", "length"],
    "discrete": ["kind", "Abar", "Bbar", "C", "length"],
  ]

  /// Parses the system; `extraKeys` are further members the command reads itself.
  /// Unknown members are errors, so that a misspelt option is never ignored.
  init(_ document: JSONValue, extraKeys: [String]) throws {
    guard case .object(let members) = document else {
      throw JSONError.invalidValue(path: "input", expected: "an object")
    }
    guard case .string(let kind) = try document.member("kind") else {
      throw JSONError.invalidValue(path: "kind", expected: "a string")
    }
    guard let keys = Self.keysByKind[kind] else {
      throw JSONError.invalidValue(path: "kind", expected: "\"diagonal\", \"dplr\" or \"discrete\", got \"\(kind)\"")
    }
    for member in members where !(keys + extraKeys).contains(member.key) {
      throw InputError.unknownKey(member.key, context: "kind \"\(kind)\"", known: keys + extraKeys)
    }
    switch kind {
    case "diagonal":
      let method: DiagonalDiscretization
      switch document["discretization"] {
      case nil: method = .zoh
      case .string(let name)?:
        guard let parsed = DiagonalDiscretization(rawValue: name) else {
          throw JSONError.invalidValue(path: "discretization", expected: "\"zoh\" or \"bilinear\", got \"\(name)\"")
        }
        method = parsed
      case let other?: throw JSONError.invalidValue(path: "discretization", expected: "a string, got \(other.kindName)")
      }
      self = .diagonal(
        try DiagonalSSM(
          lambda: try readComplexVector(document.member("lambda"), name: "lambda"),
          b: try readComplexVector(document.member("B"), name: "B"),
          c: try readComplexVector(document.member("C"), name: "C"),
          dt: [try document.member("dt").realScalar(path: "dt")], discretization: method))
    case "dplr":
      let lambda = try readComplexVector(document.member("lambda"), name: "lambda")
      let p = try readComplexMatrix(try document.member("P"), name: "P")
      guard p.columns == lambda.count else {
        throw S4Error.shapeMismatch("P rows have \(p.columns) entries, λ has \(lambda.count)")
      }
      self = .dplr(
        try DPLRSSM(
          lambda: lambda, p: p.elements, b: try readComplexVector(document.member("B"), name: "B"),
          c: try readComplexVector(document.member("C"), name: "C"),
          dt: [try document.member("dt").realScalar(path: "dt")]))
    default:
      self = .discrete(
        try DiscreteSSM(
          aBar: try readComplexMatrix(try document.member("Abar"), name: "Abar"),
          bBar: try readComplexVector(document.member("Bbar"), name: "Bbar"),
          c: try readComplexVector(document.member("C"), name: "C")))
    }
  }

  /// The kernel `K_l = C Ā^l B̄`, `l < length`, in the requested precision, returned
  /// in float64. Real for diagonal and DPLR systems and for real discrete ones.
  func kernel(length: Int, precision: Precision) throws -> [Complex<Double>] {
    switch precision {
    case .float32: return try kernel(length: length, as: Float.self)
    case .float64: return try kernel(length: length, as: Double.self)
    }
  }

  private func kernel<T: FFTScalar>(length: Int, as _: T.Type) throws -> [Complex<Double>] {
    switch self {
    case .diagonal(let system): return try system.kernel(length: length, as: T.self).map { Complex(Double($0), 0) }
    case .dplr(let system): return try system.kernel(length: length, as: T.self).map { Complex(Double($0), 0) }
    case .discrete(let system):
      let kernel = try system.kernel(length: length, as: T.self).map { Complex(Double($0.real), Double($0.imaginary)) }
      return system.isReal ? kernel.map { Complex($0.real, 0) } : kernel
    }
  }

  /// The state size `N`: twice the stored modes of diagonal and DPLR systems, `Ā`'s order otherwise.
  var stateSize: Int {
    switch self {
    case .diagonal(let system): return 2 * system.modes
    case .dplr(let system): return 2 * system.modes
    case .discrete(let system): return system.stateSize
    }
  }

  /// Whether outputs are real numbers (everything but complex discrete systems).
  var hasRealOutputs: Bool {
    if case .discrete(let system) = self { return system.isReal }
    return true
  }
}

/// Reads the required `"length"` member: an integer ≥ 1.
func readLength(_ value: JSONValue, path: String = "length") throws -> Int {
  let number = try value.realScalar(path: path)
  guard number >= 1, number <= Double(Int32.max), number.rounded() == number else {
    throw JSONError.invalidValue(path: path, expected: "an integer ≥ 1, got \(number)")
  }
  return Int(number)
}

/// Numbers as the JSON interface writes them: reals, or `[re, im]` pairs.
func encode(_ values: [Complex<Double>], real: Bool) -> JSONValue {
  real ? .realVector(values.map(\.real)) : .complexVector(values)
}
