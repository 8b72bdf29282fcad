import ArgumentParser
import Numerics
import SSMJSON

/// `ssm run`: a system applied to an input sequence in convolution and recurrent mode.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run an input sequence through a system in convolution mode and in recurrent mode.",
    discussion:
      "FILE holds a system as for `ssm kernel` (\"length\" optional, and then equal to the number of inputs) plus "
      + "\"D\": d and \"u\": [u_0, …]. Prints y = K ∗ u + D u (FFT convolution), yRecurrent (the recurrence "
      + "x_k = Ā x_{k−1} + B̄ u_k, y_k = C x_k + D u_k from x_{−1} = 0) and finalState = x_{L−1} (the stored modes "
      + "for diagonal and DPLR systems).")

  @OptionGroup var options: SystemFileOptions

  @Flag(help: "Print {\"y\": […], \"yRecurrent\": […], \"finalState\": […]}.")
  var json = false

  func run() throws {
    try MemoryBudget.check(.jsonFile(options.input))
    let document = try readJSONFile(options.input)
    let system = try SystemInput(document, extraKeys: ["u", "D"])
    let u = try document.member("u").realVector(path: "u")
    guard !u.isEmpty else { throw JSONError.invalidValue(path: "u", expected: "at least one input") }
    if let declared = document["length"] {
      let length = try readLength(declared)
      guard length == u.count else {
        throw JSONError.invalidValue(path: "length", expected: "the number of inputs \(u.count), got \(length)")
      }
    }
    let d = try document.member("D").realScalar(path: "D")
    try MemoryBudget.check(.kernel(stateSize: system.stateSize, length: u.count))
    let result = try system.run(u, d: d, precision: options.precision)
    let real = system.hasRealOutputs
    let stateIsReal: Bool = {
      if case .discrete(let dense) = system { return dense.isReal }
      return false
    }()
    let output: JSONValue = .object([
      ("y", encode(result.y, real: real)), ("yRecurrent", encode(result.yRecurrent, real: real)),
      ("finalState", encode(result.finalState, real: stateIsReal)),
    ])
    try emit(output, json: json) {
      let gap = zip(result.y, result.yRecurrent).map { ($0 - $1).length }.max() ?? 0
      print("y (\(u.count) values, \(options.precision.rawValue)), first \(min(8, u.count)):")
      print(result.y.prefix(8).map { real ? formatReal($0.real) : formatComplex($0) }.joined(separator: " "))
      print("max |y − yRecurrent| = \(gap)")
      print(describeComplexVector("final state", result.finalState))
    }
  }
}
