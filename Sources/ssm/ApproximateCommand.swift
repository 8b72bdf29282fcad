import ArgumentParser
import HiPPO
import SSMJSON

extension ApproximationMethod: ExpressibleByArgument {}

/// The memories `ssm approximate` offers.
enum ApproximationMemoryName: String, CaseIterable, ExpressibleByArgument {
  case legs, legt
}

/// `ssm approximate`: online HiPPO compression of a signal and its reconstruction.
struct ApproximateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "approximate",
    abstract: "Compress a signal {\"signal\": […]} online into N HiPPO coefficients and reconstruct it.",
    discussion: """
      legs reconstructs the whole history; legt the last window of length θ sampled with step dt.
      """)

  @Argument(help: "legs (whole history) or legt (last window).")
  var memory: ApproximationMemoryName

  @Option(name: .customLong("state-size"), help: "The state size N.")
  var stateSize: Int

  @Option(help: "Window θ of legt (default 1).")
  var theta: Double?

  @Option(help: "Sampling step of legt (default 0.001).")
  var dt: Double?

  @Option(help: "forward, backward, bilinear or zoh.")
  var method: ApproximationMethod

  @Option(help: "A JSON file holding {\"signal\": […]}.")
  var input: String

  @Flag(help: "Print {\"state\": […], \"reconstruction\": […], \"mse\": x}.")
  var json = false

  func run() throws {
    let resolvedMemory: ApproximationMemory
    switch memory {
    case .legs:
      if theta != nil || dt != nil {
        throw InputError.inapplicableOption("--theta and --dt apply only to legt (legs is scale-invariant)")
      }
      resolvedMemory = .legs
    case .legt:
      let theta = theta ?? 1
      guard theta.isFinite, theta > 0 else {
        throw HiPPOError.invalidParameter(name: "theta", value: theta, reason: "the window must be positive and finite")
      }
      resolvedMemory = .legt(theta: theta, dt: dt ?? 1e-3)
    }
    try MemoryBudget.check(.jsonFile(input))
    let document = try readJSONFile(input)
    let signal = try document.member("signal").realVector(path: "signal")
    try MemoryBudget.check(.approximation(stateSize: stateSize, samples: signal.count))
    let result = try approximate(signal, memory: resolvedMemory, stateSize: stateSize, method: method)
    let output: JSONValue = .object([
      ("state", .realVector(result.state)),
      ("reconstruction", .realVector(result.reconstruction)),
      ("mse", .real(result.meanSquaredError)),
    ])
    try emit(output, json: json) {
      let meanSquare = result.target.reduce(0) { $0 + $1 * $1 } / Double(result.target.count)
      print("samples reconstructed: \(result.target.count)")
      print(
        "mse: \(result.meanSquaredError)  (signal mean square \(meanSquare), ratio \(result.meanSquaredError / meanSquare))"
      )
      print(describeVector("state", result.state))
    }
  }
}
