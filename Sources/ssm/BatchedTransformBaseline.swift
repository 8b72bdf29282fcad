import CFFTW
import FFT

/// FFTW's own batched transforms doing exactly the transforms a causal FFT convolution of
/// `B × H` rows needs — `r2c` of `B·H + H` rows (inputs and kernels) and `c2r` of `B·H` rows,
/// length `2L` — as two `plan_many` plans with FFTW's threads. It is the floor `causalConvolution`
/// is measured against (`ssm bench conv-layer`, `fftwBaselineSeconds`); it computes nothing
/// useful itself.
final class BatchedTransformBaseline<Scalar: FFTScalar> {
  private let forwardPlan: OpaquePointer
  private let backwardPlan: OpaquePointer
  /// `fftw_malloc`'d (FFTW's SIMD alignment, as the convolution's buffers): `(B·H + H) × 2L`
  /// reals and as many rows of `L + 1` complex bins.
  private let real: UnsafeMutableRawPointer
  private let spectra: UnsafeMutableRawPointer

  /// Plans the two batched transforms; every row holds a unit impulse (no denormals to slow the
  /// transforms down).
  ///
  /// - Parameters:
  ///   - shape: the convolution's `(B × H × L)`.
  ///   - threads: FFTW threads for these plans (the convolution spreads rows over the cores, so
  ///     compare with the same number of cores).
  ///   - effort: planning effort, as for the convolution.
  init(shape: SignalShape, threads: Int, effort: PlanningEffort) throws {
    let length = 2 * shape.length
    guard length <= Int(Int32.max) else { throw FFTError.invalidSize("length \(length) exceeds FFTW's int") }
    let forwardRows = shape.rows + shape.channels
    let bins = length / 2 + 1
    let realBytes = forwardRows * length * MemoryLayout<Scalar>.stride
    let spectraBytes = forwardRows * 2 * bins * MemoryLayout<Scalar>.stride
    guard let real = fftw_malloc(realBytes) else {
      throw FFTError.invalidSize("fftw_malloc could not allocate \(realBytes) bytes")
    }
    guard let spectra = fftw_malloc(spectraBytes) else {
      fftw_free(real)
      throw FFTError.invalidSize("fftw_malloc could not allocate \(spectraBytes) bytes")
    }
    real.initializeMemory(as: UInt8.self, repeating: 0, count: realBytes)
    spectra.initializeMemory(as: UInt8.self, repeating: 0, count: spectraBytes)
    let impulses = real.bindMemory(to: Scalar.self, capacity: forwardRows * length)
    for row in 0..<forwardRows { impulses[row * length] = 1 }
    let flags = UInt32(effort == .measure ? FFTW_MEASURE : FFTW_ESTIMATE)
    var n = [Int32(length)]
    let plans: (OpaquePointer?, OpaquePointer?) = FFTWPlanner.withLock(planningThreads: threads) {
      switch Scalar.fftPrecision {
      case .single:
        let x = real.assumingMemoryBound(to: Float.self)
        let X = spectra.assumingMemoryBound(to: fftwf_complex.self)
        return (
          fftwf_plan_many_dft_r2c(1, &n, Int32(forwardRows), x, nil, 1, Int32(length), X, nil, 1, Int32(bins), flags),
          fftwf_plan_many_dft_c2r(1, &n, Int32(shape.rows), X, nil, 1, Int32(bins), x, nil, 1, Int32(length), flags)
        )
      case .double:
        let x = real.assumingMemoryBound(to: Double.self)
        let X = spectra.assumingMemoryBound(to: fftw_complex.self)
        return (
          fftw_plan_many_dft_r2c(1, &n, Int32(forwardRows), x, nil, 1, Int32(length), X, nil, 1, Int32(bins), flags),
          fftw_plan_many_dft_c2r(1, &n, Int32(shape.rows), X, nil, 1, Int32(bins), x, nil, 1, Int32(length), flags)
        )
      }
    }
    guard let forward = plans.0, let backward = plans.1 else {
      Self.destroy(plans.0, plans.1)
      fftw_free(real)
      fftw_free(spectra)
      throw FFTError.planningFailed(length: length)
    }
    forwardPlan = forward
    backwardPlan = backward
    self.real = real
    self.spectra = spectra
  }

  /// Runs the batched forward transforms, then the batched backward transforms.
  func execute() {
    switch Scalar.fftPrecision {
    case .single:
      fftwf_execute(forwardPlan)
      fftwf_execute(backwardPlan)
    case .double:
      fftw_execute(forwardPlan)
      fftw_execute(backwardPlan)
    }
  }

  /// Destroys the plans that exist, under the planner lock.
  private static func destroy(_ plans: OpaquePointer?...) {
    FFTWPlanner.withLock {
      for case let plan? in plans {
        switch Scalar.fftPrecision {
        case .single: fftwf_destroy_plan(plan)
        case .double: fftw_destroy_plan(plan)
        }
      }
    }
  }

  deinit {
    Self.destroy(forwardPlan, backwardPlan)
    fftw_free(real)
    fftw_free(spectra)
  }
}
