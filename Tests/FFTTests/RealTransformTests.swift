import FFT
import Numerics
import TestSupport
import Testing

@Suite("Real transforms")
struct RealTransformTests {
  // The forward real DFT against its definition (1e-12: a few ulps per term at these
  // lengths), and inverseRealFFT ∘ realFFT = identity.
  @Test func realFFTMatchesDefinition() throws {
    for length in [1, 2, 7, 16] {
      let x = normals(length, seed: UInt64(length))
      let spectrum = try realFFT(x, rows: 1, length: length)
      for k in 0...(length / 2) {
        var sum = Complex<Double>.zero
        for j in 0..<length {
          sum = sum + Complex(x[j], 0) * Complex.exp(Complex(0, -2 * Double.pi * Double(j * k) / Double(length)))
        }
        #expect((Complex(spectrum[2 * k], spectrum[2 * k + 1]) - sum).length <= 1e-12 * max(1, sum.length))
      }
      #expect(relativeError(try inverseRealFFT(spectrum, rows: 1, length: length), x) <= 1e-13)
    }
  }
}
