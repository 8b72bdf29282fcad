import LinearAlgebra
import Testing

@Suite("Float32 matrix multiply (cblas_sgemm)")
struct Float32MultiplyTests {
  /// The product in float64 by the definition, as the reference.
  func referenceProduct(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool)
    -> [Double]
  {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.0
        for p in 0..<k {
          let aValue = transposeA ? a[p * m + i] : a[i * k + p]
          let bValue = transposeB ? b[j * k + p] : b[p * n + j]
          sum += Double(aValue) * Double(bValue)
        }
        c[i * n + j] = sum
      }
    }
    return c
  }

  // float32 accumulation over k = 67 terms of size ≤ 1: error ≤ k·2⁻²⁴ ≈ 4e-6.
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func matchesFloat64Reference(transposeA: Bool, transposeB: Bool) {
    var random = TestRandom(seed: 600)
    let (m, n, k) = (13, 29, 67)
    let a = (0..<(m * k)).map { _ in Float(random.uniform()) }
    let b = (0..<(k * n)).map { _ in Float(random.uniform()) }
    let c = multiplyFloat32(
      a, b, m: m, n: n, k: k, transposeA: transposeA ? .transposed : .none,
      transposeB: transposeB ? .transposed : .none)
    let reference = referenceProduct(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
    for (value, exact) in zip(c, reference) { #expect(abs(Double(value) - exact) <= 1e-5) }
  }

  @Test func accumulatesIntoInitialValues() {
    let c = multiplyFloat32([1, 2], [3, 4], m: 1, n: 1, k: 2, accumulateInto: [10])
    #expect(c == [21])  // 10 + 1·3 + 2·4, exact in float32
  }
}
