import CFFTW
import Numerics
import Testing

@Suite("FFTW system library")
struct FFTWLinkTests {
  // The module map links fftw3, fftw3f and fftw3f_threads; this calls each once.
  // A real-to-complex DFT of length 8 against the definition
  // X_k = Σ_j x_j e^{−2πijk/8}: float64 error is a few ulps (1e-13), float32 ~1e-6.
  @Test func doubleAndSingleTransformsMatchDefinition() {
    fftwf_make_planner_thread_safe()
    let n = 8
    let input: [Double] = [0.5, -1, 2, 0.25, 3, -2, 1, 0.75]
    var real = input
    var spectrum = [Double](repeating: 0, count: 2 * (n / 2 + 1))
    real.withUnsafeMutableBufferPointer { x in
      spectrum.withUnsafeMutableBytes { raw in
        let out = raw.baseAddress!.assumingMemoryBound(to: fftw_complex.self)
        let plan = fftw_plan_dft_r2c_1d(Int32(n), x.baseAddress, out, UInt32(FFTW_ESTIMATE))
        fftw_execute(plan)
        fftw_destroy_plan(plan)
      }
    }
    var realSingle = input.map(Float.init)
    var spectrumSingle = [Float](repeating: 0, count: 2 * (n / 2 + 1))
    realSingle.withUnsafeMutableBufferPointer { x in
      spectrumSingle.withUnsafeMutableBytes { raw in
        let out = raw.baseAddress!.assumingMemoryBound(to: fftwf_complex.self)
        let plan = fftwf_plan_dft_r2c_1d(Int32(n), x.baseAddress, out, UInt32(FFTW_ESTIMATE))
        fftwf_execute(plan)
        fftwf_destroy_plan(plan)
      }
    }
    for k in 0...(n / 2) {
      var exact = Complex<Double>.zero
      for j in 0..<n {
        exact = exact + Complex(input[j], 0) * Complex.exp(Complex(0, -2 * Double.pi * Double(j * k) / Double(n)))
      }
      #expect(abs(spectrum[2 * k] - exact.real) <= 1e-13)
      #expect(abs(spectrum[2 * k + 1] - exact.imaginary) <= 1e-13)
      #expect(abs(Double(spectrumSingle[2 * k]) - exact.real) <= 1e-5)
      #expect(abs(Double(spectrumSingle[2 * k + 1]) - exact.imaginary) <= 1e-5)
    }
  }
}
