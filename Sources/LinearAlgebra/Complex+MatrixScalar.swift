import CBLAS
import CLAPACKE
import Numerics

extension Complex: MatrixScalar where RealType == Double {
  public init(real: Double) { self.init(real, 0) }
  public var conjugateValue: Complex<Double> { conjugate }
  public var modulus: Double { length }
  public var isFiniteValue: Bool { real.isFinite && imaginary.isFinite }
  public var complexValue: Complex<Double> { self }

  public static func gemm(
    conjugateTransposeA: Bool, conjugateTransposeB: Bool,
    m: Int, n: Int, k: Int,
    alpha: Complex<Double>, a: UnsafePointer<Complex<Double>>, lda: Int,
    b: UnsafePointer<Complex<Double>>, ldb: Int,
    beta: Complex<Double>, c: UnsafeMutablePointer<Complex<Double>>, ldc: Int
  ) {
    var alpha = alpha
    var beta = beta
    cblas_zgemm(
      CblasRowMajor, conjugateTransposeA ? CblasConjTrans : CblasNoTrans,
      conjugateTransposeB ? CblasConjTrans : CblasNoTrans,
      blasint(m), blasint(n), blasint(k), &alpha, a, blasint(lda), b, blasint(ldb),
      &beta, c, blasint(ldc))
  }

  public static func gesv(
    n: Int, rightHandSides: Int, a: UnsafeMutablePointer<Complex<Double>>,
    pivots: UnsafeMutablePointer<Int32>, b: UnsafeMutablePointer<Complex<Double>>
  ) -> Int {
    a.withMemoryRebound(to: ssm_lapack_complex_double.self, capacity: n * n) { a in
      b.withMemoryRebound(to: ssm_lapack_complex_double.self, capacity: n * rightHandSides) { b in
        Int(
          LAPACKE_zgesv(
            LAPACK_ROW_MAJOR, Int32(n), Int32(rightHandSides), a, Int32(n), pivots,
            b, Int32(rightHandSides)))
      }
    }
  }

  public static func geev(n: Int, a: UnsafeMutablePointer<Complex<Double>>) throws
    -> (values: [Complex<Double>], vectors: [Complex<Double>])
  {
    var values = [Complex<Double>](repeating: .zero, count: n)
    var vectors = [Complex<Double>](repeating: .zero, count: n * n)
    var unusedLeft = [Complex<Double>](repeating: .zero, count: 1)
    let info = a.withMemoryRebound(to: ssm_lapack_complex_double.self, capacity: n * n) { a in
      values.withUnsafeMutableBufferPointer { w in
        vectors.withUnsafeMutableBufferPointer { vr in
          unusedLeft.withUnsafeMutableBufferPointer { vl in
            w.withMemoryRebound(to: ssm_lapack_complex_double.self) { w in
              vr.withMemoryRebound(to: ssm_lapack_complex_double.self) { vr in
                vl.withMemoryRebound(to: ssm_lapack_complex_double.self) { vl in
                  LAPACKE_zgeev(
                    LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "V")),
                    Int32(n), a, Int32(n), w.baseAddress, vl.baseAddress, 1,
                    vr.baseAddress, Int32(n))
                }
              }
            }
          }
        }
      }
    }
    guard info == 0 else { throw LinearAlgebraError.lapackFailure(routine: "zgeev", info: Int(info)) }
    return (values, vectors)
  }

  public static func heevd(n: Int, a: UnsafeMutablePointer<Complex<Double>>) throws -> [Double] {
    var values = [Double](repeating: 0, count: n)
    let info = a.withMemoryRebound(to: ssm_lapack_complex_double.self, capacity: n * n) { a in
      LAPACKE_zheevd(
        LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "L")), Int32(n), a,
        Int32(n), &values)
    }
    guard info == 0 else { throw LinearAlgebraError.lapackFailure(routine: "zheevd", info: Int(info)) }
    return values
  }
}
