import Numerics

/// The number encoding of the `ssm` JSON interface: every number is either a
/// real number or a complex number written as the pair `[re, im]`.
extension JSONValue {
  /// A real number.
  public static func real(_ value: Double) -> JSONValue { .number(value) }

  /// A complex number as `[re, im]`.
  public static func complex(_ value: Complex<Double>) -> JSONValue {
    .array([.number(value.real), .number(value.imaginary)])
  }

  /// A vector of reals.
  public static func realVector(_ values: [Double]) -> JSONValue { .array(values.map(JSONValue.real)) }

  /// A vector of complex numbers, each `[re, im]`.
  public static func complexVector(_ values: [Complex<Double>]) -> JSONValue {
    .array(values.map(JSONValue.complex))
  }

  /// Rows of reals.
  public static func realRows(_ rows: [[Double]]) -> JSONValue { .array(rows.map(JSONValue.realVector)) }

  /// Rows of complex numbers.
  public static func complexRows(_ rows: [[Complex<Double>]]) -> JSONValue {
    .array(rows.map(JSONValue.complexVector))
  }

  /// Reads a scalar, real or `[re, im]`; non-finite parts are rejected.
  public func scalar(path: String) throws -> Complex<Double> {
    switch self {
    case .number(let value):
      guard value.isFinite else { throw JSONError.nonFinite(path: path) }
      return Complex(value, 0)
    case .array(let parts) where parts.count == 2:
      guard case .number(let re) = parts[0], case .number(let im) = parts[1] else {
        throw JSONError.invalidValue(path: path, expected: "a number or [re, im]")
      }
      guard re.isFinite, im.isFinite else { throw JSONError.nonFinite(path: path) }
      return Complex(re, im)
    default:
      throw JSONError.invalidValue(path: path, expected: "a number or [re, im], got \(kindName)")
    }
  }

  /// Reads a real scalar (a complex one is accepted only with zero imaginary part).
  public func realScalar(path: String) throws -> Double {
    let value = try scalar(path: path)
    guard value.imaginary == 0 else { throw JSONError.invalidValue(path: path, expected: "a real number") }
    return value.real
  }

  /// Reads a vector of scalars.
  public func complexVector(path: String) throws -> [Complex<Double>] {
    guard case .array(let elements) = self else {
      throw JSONError.invalidValue(path: path, expected: "an array of numbers, got \(kindName)")
    }
    return try elements.enumerated().map { try $1.scalar(path: "\(path)[\($0)]") }
  }

  /// Reads a vector of real scalars.
  public func realVector(path: String) throws -> [Double] {
    guard case .array(let elements) = self else {
      throw JSONError.invalidValue(path: path, expected: "an array of numbers, got \(kindName)")
    }
    return try elements.enumerated().map { try $1.realScalar(path: "\(path)[\($0)]") }
  }

  /// Reads a list of rows of scalars (not checked for raggedness here).
  public func complexRows(path: String) throws -> [[Complex<Double>]] {
    guard case .array(let rows) = self else {
      throw JSONError.invalidValue(path: path, expected: "an array of rows, got \(kindName)")
    }
    return try rows.enumerated().map { try $1.complexVector(path: "\(path)[\($0)]") }
  }

  /// Reads a required member of an object.
  public func member(_ key: String) throws -> JSONValue {
    guard case .object = self else { throw JSONError.invalidValue(path: "input", expected: "an object") }
    guard let value = self[key] else { throw JSONError.missingKey(key) }
    return value
  }
}
