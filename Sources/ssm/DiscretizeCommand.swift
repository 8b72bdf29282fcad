import ArgumentParser
import HiPPO
import LinearAlgebra
import Numerics
import SSMJSON

/// Discretisation methods as spelled on the command line.
enum DiscretizationName: String, CaseIterable, ExpressibleByArgument {
  case forwardEuler = "forward-euler"
  case backwardEuler = "backward-euler"
  case bilinear, gbt, zoh
}

/// `ssm discretize`: (A, B) from a JSON file → (Ā, B̄).
struct DiscretizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "discretize",
    abstract: "Discretise x' = Ax + Bu read from a JSON file {\"A\": [[…]], \"B\": […]} with step dt.")

  @Option(help: "forward-euler, backward-euler, bilinear, gbt or zoh.")
  var method: DiscretizationName

  @Option(help: "The GBT parameter α (gbt only): 0 forward Euler, ½ bilinear, 1 backward Euler.")
  var alpha: Double?

  @Option(help: "The step dt > 0.")
  var dt: Double

  @Option(help: "A JSON file holding {\"A\": [[…]], \"B\": […]}.")
  var input: String

  @Flag(help: "Print {\"Abar\": [[…]], \"Bbar\": […]}.")
  var json = false

  func run() throws {
    let discretization = try resolvedMethod()
    try MemoryBudget.check(.jsonFile(input))
    let document = try readJSONFile(input)
    let a = try readComplexMatrix(try document.member("A"), name: "A")
    try MemoryBudget.check(.discretization(stateSize: a.rows))
    let b = try readComplexVector(try document.member("B"), name: "B")
    let isReal = a.elements.allSatisfy { $0.imaginary == 0 } && b.allSatisfy { $0.imaginary == 0 }
    if isReal {
      let (aBar, bBar) = try discretize(a: a.realPart, b: b.map(\.real), dt: dt, method: discretization)
      let output: JSONValue = .object([("Abar", .realRows(aBar.rowArrays)), ("Bbar", .realVector(bBar))])
      try emit(output, json: json) {
        print(describeMatrix("Ā", aBar))
        print(describeVector("B̄", bBar))
      }
    } else {
      let (aBar, bBar) = try discretize(a: a, b: b, dt: dt, method: discretization)
      let output: JSONValue = .object([("Abar", .complexRows(aBar.rowArrays)), ("Bbar", .complexVector(bBar))])
      try emit(output, json: json) {
        for i in 0..<aBar.rows { print(describeComplexVector("Ā row \(i)", aBar.row(i))) }
        print(describeComplexVector("B̄", bBar))
      }
    }
  }

  private func resolvedMethod() throws -> DiscretizationMethod {
    if alpha != nil, method != .gbt { throw InputError.inapplicableOption("--alpha applies only to --method gbt") }
    switch method {
    case .forwardEuler: return .forwardEuler
    case .backwardEuler: return .backwardEuler
    case .bilinear: return .bilinear
    case .zoh: return .zoh
    case .gbt:
      guard let alpha else { throw InputError.inapplicableOption("--method gbt needs --alpha") }
      return .gbt(alpha: alpha)
    }
  }
}
