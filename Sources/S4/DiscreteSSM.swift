import FFT
import LinearAlgebra
import Numerics

/// A dense discrete system `x_k = Ā x_{k−1} + B̄ u_k`, `y_k = C x_k + D u_k`
/// (`x_{−1} = x₀`, zero by default), real or complex, `N` states: the reference
/// that the structured kernels and recurrences are tested against.
public struct DiscreteSSM: Sendable {
  /// `Ā`, `N × N`.
  public let aBar: Matrix<Complex<Double>>
  /// `B̄`, `N`.
  public let bBar: [Complex<Double>]
  /// `C`, `N` (never conjugated).
  public let c: [Complex<Double>]

  /// - Throws: ``S4Error`` for a non-square `Ā`, lengths that disagree, no
  ///   states, or non-finite values.
  public init(aBar: Matrix<Complex<Double>>, bBar: [Complex<Double>], c: [Complex<Double>]) throws {
    guard aBar.rows >= 1 else { throw S4Error.invalidSize("Ā needs at least one state") }
    guard aBar.isSquare else { throw S4Error.shapeMismatch("Ā is \(aBar.rows) × \(aBar.columns), not square") }
    guard bBar.count == aBar.rows, c.count == aBar.rows else {
      throw S4Error.shapeMismatch("Ā is \(aBar.rows) × \(aBar.rows), B̄ has \(bBar.count) values, C \(c.count)")
    }
    guard aBar.elements.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("Ā") }
    guard bBar.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("B̄") }
    guard c.allSatisfy(\.isFinite) else { throw S4Error.nonFinite("C") }
    self.aBar = aBar
    self.bBar = bBar
    self.c = c
  }

  /// `N`.
  public var stateSize: Int { aBar.rows }

  /// Whether `Ā`, `B̄` and `C` are all real (then kernels and outputs are real).
  public var isReal: Bool {
    aBar.elements.allSatisfy { $0.imaginary == 0 } && bBar.allSatisfy { $0.imaginary == 0 }
      && c.allSatisfy { $0.imaginary == 0 }
  }

  /// `K_l = C Ā^l B̄` by explicit powers `v_{l+1} = Ā v_l`, `v_0 = B̄`, in the
  /// scalar's precision: `O(N² L)`.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func kernel<Scalar: FFTScalar>(length: Int, as _: Scalar.Type = Double.self) throws -> [Complex<Scalar>] {
    guard length >= 1 else { throw S4Error.invalidSize("kernel length \(length) must be at least 1") }
    let a = aBar.elements.map(Complex<Scalar>.init(narrowing:))
    let cs = c.map(Complex<Scalar>.init(narrowing:))
    var v = bBar.map(Complex<Scalar>.init(narrowing:))
    var kernel: [Complex<Scalar>] = []
    kernel.reserveCapacity(length)
    for l in 0..<length {
      kernel.append(dot(cs, v))
      if l + 1 < length { v = multiply(a, v) }
    }
    return kernel
  }

  /// Runs the recurrence over `u` from `initialState` (`x_{−1}`, zero when `nil`).
  ///
  /// - Returns: the outputs `y_k = C x_k + D u_k` and the final state `x_{L−1}`.
  @_specialize(exported:true,where Scalar == Float)
  @_specialize(exported:true,where Scalar == Double)
  public func run<Scalar: FFTScalar>(
    _ u: [Scalar], d: Scalar, initialState: [Complex<Scalar>]? = nil
  ) throws -> (y: [Complex<Scalar>], state: [Complex<Scalar>]) {
    guard u.allSatisfy(\.isFinite), d.isFinite else { throw S4Error.nonFinite("input u or D") }
    if let initialState, initialState.count != stateSize {
      throw S4Error.shapeMismatch("initial state has \(initialState.count) values, expected \(stateSize)")
    }
    let a = aBar.elements.map(Complex<Scalar>.init(narrowing:))
    let b = bBar.map(Complex<Scalar>.init(narrowing:))
    let cs = c.map(Complex<Scalar>.init(narrowing:))
    var x = initialState ?? [Complex<Scalar>](repeating: .zero, count: stateSize)
    var y: [Complex<Scalar>] = []
    y.reserveCapacity(u.count)
    for value in u {
      x = multiply(a, x)
      for i in 0..<stateSize { x[i] = x[i] + b[i] * Complex(value, 0) }
      y.append(dot(cs, x) + Complex(d * value, 0))
    }
    return (y, x)
  }

  private func multiply<Scalar: FFTScalar>(_ a: [Complex<Scalar>], _ v: [Complex<Scalar>]) -> [Complex<Scalar>] {
    let n = stateSize
    return (0..<n).map { i in
      var sum = Complex<Scalar>.zero
      for j in 0..<n { sum = sum + a[i * n + j] * v[j] }
      return sum
    }
  }
}

func dot<Scalar: FFTScalar>(_ x: [Complex<Scalar>], _ y: [Complex<Scalar>]) -> Complex<Scalar> {
  var sum = Complex<Scalar>.zero
  for i in x.indices { sum = sum + x[i] * y[i] }
  return sum
}

extension Complex where RealType: FFTScalar {
  /// Rounds a float64 complex number to this precision.
  init(narrowing value: Complex<Double>) {
    self.init(RealType(value.real), RealType(value.imaginary))
  }
}
