import CFFTW

/// FFTW's own batched transforms doing exactly the transforms a causal FFT
/// convolution of `B × H` rows needs — `r2c` of `B·H + H` rows (inputs and
/// kernels) and `c2r` of `B·H` rows, length `2L` — as two `plan_many` plans with
/// FFTW's threads. It is the floor ``causalConvolution(_:shape:kernel:skip:effort:)``
/// is measured against (`ssm bench conv-layer`); it computes nothing useful itself.
public final class BatchedTransformBaseline<Scalar: FFTScalar> {
  private let forwardPlan: OpaquePointer
  private let backwardPlan: OpaquePointer
  private let real: AlignedBuffer<Scalar>
  private let spectra: AlignedBuffer<Scalar>

  /// Plans the two batched transforms; every row holds a unit impulse (no denormals
  /// to slow the transforms down).
  ///
  /// - Parameters:
  ///   - shape: the convolution's `(B × H × L)`.
  ///   - threads: FFTW threads for these plans (the convolution spreads rows over
  ///     the cores, so compare with the same number of cores).
  ///   - effort: planning effort, as for the convolution.
  public init(shape: SignalShape, threads: Int, effort: PlanningEffort) throws {
    let length = 2 * shape.length
    guard length <= Int(Int32.max) else { throw FFTError.invalidSize("length \(length) exceeds FFTW's int") }
    let forwardRows = shape.rows + shape.channels
    let bins = length / 2 + 1
    real = AlignedBuffer(count: forwardRows * length)
    spectra = AlignedBuffer(count: forwardRows * 2 * bins)
    for row in 0..<forwardRows { real.pointer[row * length] = 1 }
    let flags = UInt32(effort == .measure ? FFTW_MEASURE : FFTW_ESTIMATE)
    var n = [Int32(length)]
    let (real, spectra) = (self.real, self.spectra)
    let plans: (OpaquePointer?, OpaquePointer?) = RealFFTPlan.withPlannerLock {
      switch Scalar.fftPrecision {
      case .single:
        fftwf_plan_with_nthreads(Int32(threads))
        defer { fftwf_plan_with_nthreads(1) }
        let x = UnsafeMutableRawPointer(real.pointer).assumingMemoryBound(to: Float.self)
        let X = UnsafeMutableRawPointer(spectra.pointer).assumingMemoryBound(to: fftwf_complex.self)
        return (
          fftwf_plan_many_dft_r2c(1, &n, Int32(forwardRows), x, nil, 1, Int32(length), X, nil, 1, Int32(bins), flags),
          fftwf_plan_many_dft_c2r(1, &n, Int32(shape.rows), X, nil, 1, Int32(bins), x, nil, 1, Int32(length), flags)
        )
      case .double:
        fftw_plan_with_nthreads(Int32(threads))
        defer { fftw_plan_with_nthreads(1) }
        let x = UnsafeMutableRawPointer(real.pointer).assumingMemoryBound(to: Double.self)
        let X = UnsafeMutableRawPointer(spectra.pointer).assumingMemoryBound(to: fftw_complex.self)
        return (
          fftw_plan_many_dft_r2c(1, &n, Int32(forwardRows), x, nil, 1, Int32(length), X, nil, 1, Int32(bins), flags),
          fftw_plan_many_dft_c2r(1, &n, Int32(shape.rows), X, nil, 1, Int32(bins), x, nil, 1, Int32(length), flags)
        )
      }
    }
    guard let forward = plans.0, let backward = plans.1 else { throw FFTError.planningFailed(length: length) }
    forwardPlan = forward
    backwardPlan = backward
  }

  /// Runs the batched forward transforms, then the batched backward transforms.
  public func execute() {
    switch Scalar.fftPrecision {
    case .single:
      fftwf_execute(forwardPlan)
      fftwf_execute(backwardPlan)
    case .double:
      fftw_execute(forwardPlan)
      fftw_execute(backwardPlan)
    }
  }

  deinit {
    RealFFTPlan.withPlannerLock {
      switch Scalar.fftPrecision {
      case .single:
        fftwf_destroy_plan(forwardPlan)
        fftwf_destroy_plan(backwardPlan)
      case .double:
        fftw_destroy_plan(forwardPlan)
        fftw_destroy_plan(backwardPlan)
      }
    }
  }
}
