import ArgumentParser
import Dispatch
import FFT
import Foundation
import Parallelism
import Platform
import S4
import SSMJSON
import SeededRandom

/// `ssm bench`: the speed of kernels, layers, training steps and decoding paths, one subcommand each.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time kernels, layers, training steps and decoding paths (medians after a warm-up).",
    discussion:
      "Build with `swift build -c release` first. Times are medians of --runs repetitions on this machine; compare "
      + "them only with figures measured in the same session (the JAX anchors in ../shared/anchors).",
    subcommands: [
      ConvolutionLayerBench.self, StepBench.self, TrainStepBench.self, DecodeBench.self, ForwardBench.self,
      SpeculativeBench.self, SelectiveScanBench.self, ConstrainedBench.self, ServeBench.self,
    ])
}

/// Options shared by both benchmarks.
struct BenchOptions: ParsableArguments {
  @Option(help: "Sequences in the batch B.")
  var batch: Int

  @Option(help: "Channels H (independent SSMs).")
  var channels: Int

  @Option(help: "State size N (N/2 stored modes per channel).")
  var stateSize: Int

  @Option(help: "Timed repetitions; the median is reported.")
  var runs = 10

  @Option(help: "Untimed repetitions first (plans, caches, page faults).")
  var warmup = 2

  @Option(help: "Arithmetic: float32 (the fast path) or float64.")
  var precision: Precision = .float32

  @Flag(help: "Print one JSON object.")
  var json = false

  func validate() throws {
    guard runs >= 1, warmup >= 0 else { throw ValidationError("--runs must be ≥ 1 and --warmup ≥ 0") }
    guard batch >= 1, channels >= 1 else { throw ValidationError("--batch and --channels must be ≥ 1") }
  }

  /// The layer every benchmark uses: S4D-Lin, seeded.
  func layer() throws -> DiagonalConvolutionLayer {
    try DiagonalConvolutionLayer.random(channels: channels, stateSize: stateSize, seed: 0)
  }
}

/// Seeded standard normal inputs.
func benchInputs<T: FFTScalar>(_ count: Int, as _: T.Type) -> [T] {
  var generator = SeededGenerator(seed: 1)
  return (0..<count).map { _ in T(generator.nextStandardNormal()) }
}

/// `ssm bench conv-layer`: kernel generation, FFT convolution and their sum.
struct ConvolutionLayerBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "conv-layer",
    abstract: "Time the S4D convolution layer forward y = K ∗ u + D u on a (B × H × L) input.",
    discussion:
      "Reports kernelSeconds (Vandermonde kernel, H × L), convolutionSeconds (batched FFT convolution with D), "
      + "totalSeconds (both, timed together) and fftwBaselineSeconds: FFTW's own batched plan_many transforms doing "
      + "the same r2c/c2r work on all cores, the floor for the convolution.")

  @OptionGroup var options: BenchOptions

  @Option(help: "Sequence length L.")
  var length: Int

  @Flag(help: "Also time forward + backward (gradients for u, D and every SSM parameter): forwardBackwardSeconds.")
  var backward = false

  func run() throws {
    switch options.precision {
    case .float32: try measure(Float.self)
    case .float64: try measure(Double.self)
    }
  }

  private func measure<T: FFTScalar>(_: T.Type) throws {
    try MemoryBudget.check(
      .convolutionLayer(
        batch: options.batch, channels: options.channels, stateSize: options.stateSize, length: length,
        scalarBytes: MemoryLayout<T>.size))
    let layer = try options.layer()
    let shape = try SignalShape(batch: options.batch, channels: options.channels, length: length)
    let u = benchInputs(shape.count, as: T.self)
    let baseline = try BatchedTransformBaseline<T>(shape: shape, threads: ProcessorCount.active, effort: .measure)
    var kernelTimes: [Double] = []
    var convolutionTimes: [Double] = []
    var totalTimes: [Double] = []
    var baselineTimes: [Double] = []
    var backwardTimes: [Double] = []
    let outputGradient = backward ? benchInputs(shape.count, as: T.self).reversed() : []
    for run in 0..<(options.warmup + options.runs) {
      var kernel: [T] = []
      let kernelTime = try seconds { kernel = try layer.kernel(length: length, as: T.self) }
      let convolutionTime = try seconds { _ = try layer.forward(u, shape: shape, kernel: kernel, effort: .measure) }
      let totalTime = try seconds { _ = try layer.forward(u, shape: shape, effort: .measure) }
      let baselineTime = seconds { baseline.execute() }
      let backwardTime =
        try backward
        ? seconds {
          let kernel = try layer.kernel(length: length, as: T.self)
          _ = try layer.forward(u, shape: shape, kernel: kernel, effort: .measure)
          _ = try layer.gradients(
            outputGradient: outputGradient, input: u, shape: shape, kernel: kernel, effort: .measure)
        } : 0
      guard run >= options.warmup else { continue }
      backwardTimes.append(backwardTime)
      kernelTimes.append(kernelTime)
      convolutionTimes.append(convolutionTime)
      totalTimes.append(totalTime)
      baselineTimes.append(baselineTime)
    }
    var members: [(key: String, value: JSONValue)] = [
      ("kernelSeconds", .number(median(kernelTimes))), ("convolutionSeconds", .number(median(convolutionTimes))),
      ("totalSeconds", .number(median(totalTimes))), ("runs", .number(Double(options.runs))),
      ("fftwBaselineSeconds", .number(median(baselineTimes))),
      ("batch", .number(Double(options.batch))), ("channels", .number(Double(options.channels))),
      ("stateSize", .number(Double(options.stateSize))), ("length", .number(Double(length))),
      ("precision", .string(options.precision.rawValue)), ("cores", .number(Double(ProcessorCount.active))),
    ]
    if backward { members.append(("forwardBackwardSeconds", .number(median(backwardTimes)))) }
    try emit(.object(members), json: options.json) {
      print(
        "S4D convolution layer, (B, H, N, L) = (\(options.batch), \(options.channels), \(options.stateSize), \(length)), \(options.precision.rawValue), median of \(options.runs):"
      )
      print("  kernel       \(milliseconds(median(kernelTimes)))")
      print(
        "  convolution  \(milliseconds(median(convolutionTimes)))  (FFTW batched transforms alone: \(milliseconds(median(baselineTimes))))"
      )
      print("  total        \(milliseconds(median(totalTimes)))")
      if backward { print("  forward + backward \(milliseconds(median(backwardTimes)))") }
    }
  }
}

/// `ssm bench step`: one recurrent step for every sequence and channel.
struct StepBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "step",
    abstract: "Time the S4D recurrent step x ← Ā x + B̄ u, y = 2 Re(C x) + D u for a batch of tokens.",
    discussion: "Each run steps --steps tokens from the zero state; secondsPerStep is the median run's time / steps.")

  @OptionGroup var options: BenchOptions

  @Option(help: "Tokens stepped per run.")
  var steps = 4096

  func run() throws {
    guard steps >= 1 else { throw ValidationError("--steps must be ≥ 1") }
    switch options.precision {
    case .float32: try measure(Float.self)
    case .float64: try measure(Double.self)
    }
  }

  private func measure<T: FFTScalar>(_: T.Type) throws {
    try MemoryBudget.check(
      .recurrentSteps(
        batch: options.batch, channels: options.channels, stateSize: options.stateSize, steps: steps,
        scalarBytes: MemoryLayout<T>.size))
    let layer = try options.layer()
    let recurrence = DiagonalRecurrence<T>(layer.system)
    let width = options.batch * options.channels
    let inputs = benchInputs(steps * width, as: T.self)
    let tokens = (0..<steps).map { Array(inputs[($0 * width)..<(($0 + 1) * width)]) }
    let skip = layer.skip.map { T($0) }
    var times: [Double] = []
    for run in 0..<(options.warmup + options.runs) {
      var state = recurrence.initialState(batch: options.batch)
      let elapsed = try seconds {
        for token in tokens { _ = try recurrence.step(token, skip: skip, state: &state) }
      }
      if run >= options.warmup { times.append(elapsed / Double(steps)) }
    }
    let result: JSONValue = .object([
      ("secondsPerStep", .number(median(times))), ("runs", .number(Double(options.runs))),
      ("batch", .number(Double(options.batch))), ("channels", .number(Double(options.channels))),
      ("stateSize", .number(Double(options.stateSize))), ("steps", .number(Double(steps))),
      ("precision", .string(options.precision.rawValue)),
    ])
    try emit(result, json: options.json) {
      print(
        "S4D recurrent step, B = \(options.batch), H = \(options.channels), N = \(options.stateSize), \(options.precision.rawValue): \(String(format: "%.3f", median(times) * 1e6)) µs per step (median of \(options.runs) runs of \(steps) steps)"
      )
    }
  }
}

func milliseconds(_ value: Double) -> String { String(format: "%9.3f ms", value * 1e3) }
