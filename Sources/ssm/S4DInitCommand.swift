import ArgumentParser
import HiPPO
import SSMJSON

extension S4DInitialization: ExpressibleByArgument {}

/// `ssm s4d-init`: the diagonal S4D initialisations.
struct S4DInitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "s4d-init",
    abstract: "Print an S4D initialisation: N/2 eigenvalues λ (Im λ ≥ 0) and input vector B.")

  @Argument(help: "The initialisation: lin, inv, real or legs.")
  var initialization: S4DInitialization

  @Option(name: .customLong("state-size"), help: "The state size N (even).")
  var stateSize: Int

  @Flag(help: "Print {\"lambda\": […], \"B\": […]} (complex numbers as [re, im]).")
  var json = false

  func run() throws {
    try MemoryBudget.check(.initialization(stateSize: stateSize, dense: initialization == .legs))
    let system = try initialization.system(stateSize: stateSize)
    let output: JSONValue = .object([("lambda", .complexVector(system.lambda)), ("B", .complexVector(system.b))])
    try emit(output, json: json) {
      print(describeComplexVector("λ", system.lambda))
      print(describeComplexVector("B", system.b))
    }
  }
}
