import CBLAS
import CLAPACKE
import Numerics

extension Double: MatrixScalar {
  public init(real: Double) { self = real }
  public var conjugateValue: Double { self }
  public var modulus: Double { abs(self) }
  public var isFiniteValue: Bool { isFinite }
  public var complexValue: Complex<Double> { Complex(self, 0) }

  public static func gemm(
    conjugateTransposeA: Bool, conjugateTransposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, conjugateTransposeA ? CblasTrans : CblasNoTrans,
      conjugateTransposeB ? CblasTrans : CblasNoTrans,
      blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
      beta, c, blasint(ldc))
  }

  public static func gesv(
    n: Int, rightHandSides: Int, a: UnsafeMutablePointer<Double>,
    pivots: UnsafeMutablePointer<Int32>, b: UnsafeMutablePointer<Double>
  ) -> Int {
    Int(
      LAPACKE_dgesv(
        LAPACK_ROW_MAJOR, Int32(n), Int32(rightHandSides), a, Int32(n), pivots, b,
        Int32(rightHandSides)))
  }

  public static func geev(n: Int, a: UnsafeMutablePointer<Double>) throws
    -> (values: [Complex<Double>], vectors: [Complex<Double>])
  {
    var realParts = [Double](repeating: 0, count: n)
    var imaginaryParts = [Double](repeating: 0, count: n)
    var right = [Double](repeating: 0, count: n * n)
    var unusedLeft = [Double](repeating: 0, count: 1)
    let info = LAPACKE_dgeev(
      LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "V")), Int32(n), a,
      Int32(n), &realParts, &imaginaryParts, &unusedLeft, 1, &right, Int32(n))
    guard info == 0 else { throw LinearAlgebraError.lapackFailure(routine: "dgeev", info: Int(info)) }
    // dgeev stores a conjugate pair (j, j+1) with Im λ_j > 0 as the real and
    // imaginary parts of v_j in columns j and j+1; v_{j+1} = conj(v_j).
    var values = [Complex<Double>](repeating: .zero, count: n)
    var vectors = [Complex<Double>](repeating: .zero, count: n * n)
    var j = 0
    while j < n {
      values[j] = Complex(realParts[j], imaginaryParts[j])
      if imaginaryParts[j] != 0, j + 1 < n {
        values[j + 1] = Complex(realParts[j + 1], imaginaryParts[j + 1])
        for i in 0..<n {
          let re = right[i * n + j]
          let im = right[i * n + j + 1]
          vectors[i * n + j] = Complex(re, im)
          vectors[i * n + j + 1] = Complex(re, -im)
        }
        j += 2
      } else {
        for i in 0..<n { vectors[i * n + j] = Complex(right[i * n + j], 0) }
        j += 1
      }
    }
    return (values, vectors)
  }

  public static func heevd(n: Int, a: UnsafeMutablePointer<Double>) throws -> [Double] {
    var values = [Double](repeating: 0, count: n)
    let info = LAPACKE_dsyevd(
      LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "L")), Int32(n), a,
      Int32(n), &values)
    guard info == 0 else { throw LinearAlgebraError.lapackFailure(routine: "dsyevd", info: Int(info)) }
    return values
  }
}
