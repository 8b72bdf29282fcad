import ArgumentParser
import Autodiff
import Foundation
import LayerOperations
import Parallelism
import Platform
import SSMJSON
import SeededRandom

/// `ssm bench selective-scan`: Mamba's selective scan (S6) alone, forward and forward + backward, at the
/// shapes of the JAX anchor `Scripts/anchors/bench_selective_scan_jax.py`.
struct SelectiveScanBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "selective-scan",
    abstract: "Time the selective scan y = S6(u, Δ, A, B, C, D) on (B × L × D) inputs with N states per channel.",
    discussion:
      "Inputs as the JAX anchor's: u, B, C, D standard normal, Δ log-uniform in [1e-3, 1e-1], A[d, n] = −(n + 1) "
      + "(S4D-Real). forwardSeconds times the scan on a tape without gradients; forwardBackwardSeconds the scan "
      + "and the backward of Σ y (gradients for u, Δ, A, B, C and D).")

  @Option(help: "Sequences B.") var batch: Int
  @Option(help: "Sequence length L.") var length: Int
  @Option(help: "Channels D.") var channels: Int
  @Option(help: "States per channel N.") var stateSize: Int
  @Option(help: "Timed runs; the median is reported.") var runs = 5
  @Option(help: "Untimed runs first.") var warmup = 1
  @Flag(help: "Print {\"forwardSeconds\": x, \"forwardBackwardSeconds\": y, …}.") var json = false

  func validate() throws {
    guard batch >= 1, length >= 1, channels >= 1, stateSize >= 1, runs >= 1, warmup >= 0 else {
      throw ValidationError("--batch, --length, --channels, --state-size and --runs must be ≥ 1, --warmup ≥ 0")
    }
  }

  func run() throws {
    try MemoryBudget.check(.selectiveScan(batch: batch, length: length, channels: channels, stateSize: stateSize))
    var generator = SeededGenerator(seed: 1)
    let normals = { (count: Int) in (0..<count).map { _ in Float(generator.nextStandardNormal()) } }
    let logUniform = { (count: Int) in
      (0..<count).map { _ in Float(exp(log(1e-3) + generator.nextUnitInterval() * log(100.0))) }
    }
    let (rows, matrices) = (batch * length * channels, batch * length * stateSize)
    let u = try Tensor(shape: [batch, length, channels], values: normals(rows))
    let delta = try Tensor(shape: [batch, length, channels], values: logUniform(rows))
    let a = try Tensor(
      shape: [channels, stateSize], values: (0..<(channels * stateSize)).map { -Float($0 % stateSize + 1) })
    let b = try Tensor(shape: [batch, length, stateSize], values: normals(matrices))
    let c = try Tensor(shape: [batch, length, stateSize], values: normals(matrices))
    let skip = try Tensor(shape: [channels], values: normals(channels))
    let inputs = [u, delta, a, b, c, skip]
    func scan(_ tape: Tape) throws -> Variable {
      let v = inputs.map(tape.constant)
      return try tape.selectiveScan(v[0], delta: v[1], a: v[2], b: v[3], c: v[4], skip: v[5]).output
    }
    var (forwardTimes, backwardTimes): ([Double], [Double]) = ([], [])
    for run in 0..<(warmup + runs) {
      let forward = try seconds { _ = try scan(Tape(recordsGradients: false)) }
      let backward = try seconds {
        let tape = Tape()
        try tape.backward(tape.sum(scan(tape)))
      }
      guard run >= warmup else { continue }
      forwardTimes.append(forward)
      backwardTimes.append(backward)
    }
    let result: JSONValue = .object([
      ("forwardSeconds", .number(median(forwardTimes))),
      ("forwardBackwardSeconds", .number(median(backwardTimes))), ("batch", .number(Double(batch))),
      ("length", .number(Double(length))), ("channels", .number(Double(channels))),
      ("stateSize", .number(Double(stateSize))), ("runs", .number(Double(runs))),
      ("cores", .number(Double(ProcessorCount.active))),
    ])
    try emit(result, json: json) {
      print("selective scan, (B, L, D, N) = (\(batch), \(length), \(channels), \(stateSize)), median of \(runs):")
      print("  forward            \(milliseconds(median(forwardTimes)))")
      print("  forward + backward \(milliseconds(median(backwardTimes)))")
    }
  }
}
