import Benchmark
import FFT
import S4
import SeededRandom

/// One convolution-mode shape: batch `B`, channels `H`, state size `N` (`N/2` stored complex modes per channel)
/// and sequence length `L`.
struct ConvolutionCase: Sendable {
  let batch: Int
  let channels: Int
  let stateSize: Int
  let length: Int

  /// `B8-H128-N64-L1024`.
  var label: String { "B\(batch)-H\(channels)-N\(stateSize)-L\(length)" }
  /// `H128-N64-L1024`, for the kernel, which does not depend on the batch.
  var kernelLabel: String { "H\(channels)-N\(stateSize)-L\(length)" }
  /// `B8-H128-L1024`, for the convolution, which does not depend on the state size.
  var signalLabel: String { "B\(batch)-H\(channels)-L\(length)" }
}

/// The convolution shapes of the issue: the same `B·L` = 8192 tokens (except the last) at growing `L`.
let convolutionCases: [ConvolutionCase] = [
  ConvolutionCase(batch: 8, channels: 128, stateSize: 64, length: 1024),
  ConvolutionCase(batch: 4, channels: 128, stateSize: 64, length: 4096),
  ConvolutionCase(batch: 1, channels: 128, stateSize: 64, length: 16384),
]

/// One recurrent-mode shape: `B` sequences of `H` channels with state size `N`, one token each per step.
struct RecurrenceCase: Sendable {
  let batch: Int
  let channels: Int
  let stateSize: Int

  /// `B1-H128-N64`.
  var label: String { "B\(batch)-H\(channels)-N\(stateSize)" }
}

/// The recurrent shapes of the issue: single-sequence generation and a batch of 16.
let recurrenceCases: [RecurrenceCase] = [
  RecurrenceCase(batch: 1, channels: 128, stateSize: 64),
  RecurrenceCase(batch: 16, channels: 128, stateSize: 64),
]

/// The seed of every layer and input, so that all runs measure the same numbers.
let benchmarkSeed: UInt64 = 0

/// The S4D layer every benchmark uses: `DiagonalConvolutionLayer.random` (S4D-Lin, ZOH) with a fixed seed.
func makeLayer(channels: Int, stateSize: Int) throws -> DiagonalConvolutionLayer {
  try DiagonalConvolutionLayer.random(channels: channels, stateSize: stateSize, seed: benchmarkSeed)
}

/// `count` standard-normal float32 values from a seeded generator (a different stream from the layer's).
func standardNormalInputs(count: Int, seed: UInt64 = benchmarkSeed &+ 1) -> [Float] {
  var generator = SeededGenerator(seed: seed)
  return (0..<count).map { _ in Float(generator.nextStandardNormal()) }
}

extension Benchmark.Configuration {
  /// Wall clock and throughput (iterations per second, or inner-loop operations per second with a scaling
  /// factor), one warm-up iteration (FFTW plans and caches are made there), then at most `maxIterations`
  /// measured iterations or 2 s, whichever comes first — the whole suite takes about a minute.
  static func ssm(scalingFactor: BenchmarkScalingFactor = .one, maxIterations: Int = 50) -> Self {
    .init(
      metrics: [.wallClock, .throughput],
      warmupIterations: 1,
      scalingFactor: scalingFactor,
      maxDuration: .seconds(2),
      maxIterations: maxIterations
    )
  }
}
