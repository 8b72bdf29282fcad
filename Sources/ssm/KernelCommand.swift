import ArgumentParser
import Numerics
import SSMJSON

/// `ssm kernel`: the convolution kernel of a diagonal, DPLR or dense discrete system.
struct KernelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kernel",
    abstract: "The SSM convolution kernel K_l = C Ā^l B̄ (l < length) of a system read from a JSON file.",
    discussion:
      "FILE holds {\"kind\": \"diagonal\", \"lambda\", \"B\", \"C\", \"dt\", \"length\", \"discretization\": "
      + "\"zoh\"|\"bilinear\"} (S4D, Vandermonde), {\"kind\": \"dplr\", \"lambda\", \"P\" (rank × N/2), \"B\", \"C\", "
      + "\"dt\", \"length\"} (S4, bilinear, Cauchy + Woodbury) or {\"kind\": \"discrete\", \"Abar\", \"Bbar\", \"C\", "
      + "\"length\"} (explicit powers). Diagonal and DPLR systems store one member of each conjugate pair and "
      + "need Re λ < 0.")

  @OptionGroup var options: SystemFileOptions

  @Flag(help: "Print {\"kernel\": […]}.")
  var json = false

  func run() throws {
    try MemoryBudget.check(.jsonFile(options.input))
    let document = try readJSONFile(options.input)
    // A run file (with "u" and "D") describes the same system.
    let system = try SystemInput(document, extraKeys: ["u", "D"])
    let length = try readLength(try document.member("length"))
    try MemoryBudget.check(.kernel(stateSize: system.stateSize, length: length))
    let kernel = try system.kernel(length: length, precision: options.precision)
    try emit(.object([("kernel", encode(kernel, real: system.hasRealOutputs))]), json: json) {
      let shown = kernel.prefix(8).map { system.hasRealOutputs ? formatReal($0.real) : formatComplex($0) }
      print("kernel (\(length) values, \(options.precision.rawValue)), first \(shown.count):")
      print(shown.joined(separator: system.hasRealOutputs ? " " : "\n"))
      print("max |K| = \(formatReal(kernel.map(\.length).max() ?? 0))")
    }
  }
}
