import ArgumentParser
import SSMJSON
import Signals

/// `ssm noise`: seeded band-limited white noise, ready for `ssm approximate`.
struct NoiseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "noise",
    abstract: "Generate seeded band-limited white noise as {\"signal\": […]}.")

  @Option(help: "Number of samples.")
  var length: Int

  @Option(help: "Sampling step, in seconds.")
  var dt: Double

  @Option(help: "Highest frequency, in hertz (cycles per second), between 1/(length·dt) and 1/(2dt).")
  var cutoff: Double

  @Option(help: "Root mean square of the samples.")
  var rms: Double = 1

  @Option(help: "Random seed.")
  var seed: UInt64 = 0

  @Flag(help: "Print {\"signal\": […]}.")
  var json = false

  func run() throws {
    try MemoryBudget.check(.signal(length: length))
    let noise = try BandLimitedNoise(
      length: length, sampleStepSeconds: dt, cutoffHertz: cutoff, normalization: .rootMeanSquare(rms))
    let samples = noise.samples(seed: seed)
    try emit(.object([("signal", .realVector(samples))]), json: json) {
      print(describeVector("signal", samples))
    }
  }
}
