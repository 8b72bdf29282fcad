import Benchmark
import S4

/// Everything a recurrent-mode benchmark needs, built in the benchmark's setup (outside the timed region).
struct RecurrenceFixture: Sendable {
  let recurrence: DiagonalRecurrence<Float>
  /// One token for every sequence and channel, `B × H` standard-normal values.
  let tokens: [Float]
  /// `D`, `H` values.
  let skip: [Float]
  let batch: Int

  init(_ c: RecurrenceCase) throws {
    let layer = try makeLayer(channels: c.channels, stateSize: c.stateSize)
    recurrence = DiagonalRecurrence<Float>(layer.system)
    tokens = standardNormalInputs(count: c.batch * c.channels)
    skip = layer.skip.map(Float.init)
    batch = c.batch
  }
}

/// Registers, for every shape in ``recurrenceCases``:
///
/// - `step/B…-H…-N…`: one recurrent step of the S4D layer's systems, `recurrence.step(u, skip: D, state: &x)`
///   with `u` of `B × H` values and the state `x` of `B × H × N/2` complex modes carried from step to step
///   (`O(B·H·N)`); throughput in steps/s, each step advancing all `B` sequences by one token.
///   The zero state is made before the timed region. One step takes microseconds, so an iteration is a
///   thousand steps (scaling factor `.kilo`); wall clock and throughput are reported per step.
func registerRecurrenceBenchmarks() {
  for c in recurrenceCases {
    Benchmark(
      "step/\(c.label)", configuration: .ssm(scalingFactor: .kilo, maxIterations: 200)
    ) { benchmark, fixture in
      var state = fixture.recurrence.initialState(batch: fixture.batch)
      benchmark.startMeasurement()
      for _ in benchmark.scaledIterations {
        blackHole(try fixture.recurrence.step(fixture.tokens, skip: fixture.skip, state: &state))
      }
      benchmark.stopMeasurement()
      blackHole(state)
    } setup: {
      try RecurrenceFixture(c)
    }
  }
}
