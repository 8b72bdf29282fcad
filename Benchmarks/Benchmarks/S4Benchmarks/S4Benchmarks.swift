// The swift-ssm speed suite: S4D kernel generation, FFT convolution and the full S4D convolution layer
// forward at three (B, H, N, L) shapes, and the recurrent step at two batch sizes. All runs are float32 and
// single-process; the library spreads rows over the cores itself, so results depend on the core count.
//
// Names are `<operation>/<shape>` so that `--filter` takes a plain regex, e.g. `--filter 'layerForward/.*'`.
import Benchmark

/// The entry point the benchmark plugin's generated `@main` calls to register every benchmark.
let benchmarks: @Sendable () -> Void = {
  registerConvolutionBenchmarks()
  registerRecurrenceBenchmarks()
}
