import Benchmark
import FFT
import S4

/// Everything a convolution-mode benchmark needs, built in the benchmark's setup (outside the timed region).
struct ConvolutionFixture: Sendable {
  let layer: DiagonalConvolutionLayer
  let shape: SignalShape
  /// `u`, `B × H × L` standard-normal values.
  let input: [Float]
  /// `K`, `H × L`, computed once.
  let kernel: [Float]
  /// `D`, `H` values.
  let skip: [Float]

  init(_ c: ConvolutionCase) throws {
    layer = try makeLayer(channels: c.channels, stateSize: c.stateSize)
    shape = try SignalShape(batch: c.batch, channels: c.channels, length: c.length)
    input = standardNormalInputs(count: shape.count)
    kernel = try layer.kernel(length: c.length, as: Float.self)
    skip = layer.skip.map(Float.init)
  }
}

/// Registers, for every shape in ``convolutionCases``:
///
/// - `kernel/H…-N…-L…`: S4D kernel generation, `layer.kernel(length: L, as: Float.self)`, the `H × L` kernels
///   of the layer's `H` diagonal systems (`O(H·N·L)`); one kernel per iteration, throughput in kernels/s.
/// - `fftConvolution/B…-H…-L…`: the FFT convolution alone, `causalConvolution(u, shape:, kernel:, skip:)` with
///   a precomputed kernel and `D` (the layer's convolution path, FFTW `.estimate` plans as the layer uses);
///   `O(B·H·L log L)`, one `B × H × L` convolution per iteration.
/// - `layerForward/B…-H…-N…-L…`: the full S4D convolution layer, `layer.forward(u, shape:)` — kernel
///   generation, FFT convolution and the `D` skip — one forward pass of `B × H × L` inputs per iteration.
func registerConvolutionBenchmarks() {
  for c in convolutionCases {
    Benchmark("kernel/\(c.kernelLabel)", configuration: .ssm()) { benchmark, layer in
      for _ in benchmark.scaledIterations {
        blackHole(try layer.kernel(length: c.length, as: Float.self))
      }
    } setup: {
      try makeLayer(channels: c.channels, stateSize: c.stateSize)
    }

    Benchmark("fftConvolution/\(c.signalLabel)", configuration: .ssm()) { benchmark, fixture in
      for _ in benchmark.scaledIterations {
        blackHole(
          try causalConvolution(
            fixture.input, shape: fixture.shape, kernel: fixture.kernel, skip: fixture.skip, effort: .estimate))
      }
    } setup: {
      try ConvolutionFixture(c)
    }

    Benchmark("layerForward/\(c.label)", configuration: .ssm()) { benchmark, fixture in
      for _ in benchmark.scaledIterations {
        blackHole(try fixture.layer.forward(fixture.input, shape: fixture.shape))
      }
    } setup: {
      try ConvolutionFixture(c)
    }
  }
}
