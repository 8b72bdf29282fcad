import Foundation
import Numerics
import SSMJSON
import Testing

@Suite("ssm kernel and ssm run")
struct KernelCommandTests {
  static let linSystem =
    #"{"kind": "diagonal", "lambda": [[-0.5, 0], [-0.5, 3.141592653589793], [-0.5, 6.283185307179586], "#
    + #"[-0.5, 9.42477796076938]], "B": [1, 1, 1, 1], "C": [1, 1, 1, 1], "dt": 0.1, "length": 4}"#

  // The issue's S4D-Lin golden values (6 decimals) in both precisions.
  @Test(arguments: ["float64", "float32"])
  func diagonalGolden(precision: String) throws {
    let output = try withInputFile(Self.linSystem) { path in
      try runJSON(["kernel", "--input", path, "--precision", precision, "--json"])
    }
    let kernel = try #require(output["kernel"]).realVector(path: "kernel")
    for (value, expected) in zip(kernel, [0.737462, 0.486689, 0.181674, -0.012578]) {
      #expect(abs(value - expected) <= 1e-6)
    }
    #expect(kernel.count == 4)
  }

  // Convolution and recurrent mode agree (float64: 1e-10 of max|y|; the kernel
  // side is tested against dense powers in the S4 suite) for a DPLR system of
  // rank 1, and the final state has N/2 complex entries.
  @Test func dplrRunModesAgree() throws {
    let system =
      #"{"kind": "dplr", "lambda": [[-0.5, -2], [-0.5, 1]], "P": [[[0.3, 0.1], [0.2, -0.4]]], "#
      + #""B": [[1, 0], [0.5, 0.5]], "C": [[0.2, 1], [-1, 0.3]], "dt": 0.05, "D": 0.7, "u": [1, -2, 0.5, 3, 0, 1]}"#
    let output = try withInputFile(system) { try runJSON(["run", "--input", $0, "--json"]) }
    let y = try #require(output["y"]).realVector(path: "y")
    let recurrent = try #require(output["yRecurrent"]).realVector(path: "yRecurrent")
    let scale = y.map(abs).max()!
    for (a, b) in zip(y, recurrent) { #expect(abs(a - b) <= 1e-10 * scale) }
    #expect(y.count == 6)
    let state = try #require(output["finalState"]).complexVector(path: "finalState")
    #expect(state.count == 2)
  }

  // A complex discrete system has a complex kernel, written as [re, im] pairs;
  // here Ā = [[i/2]], B̄ = C = 1 so K_l = (i/2)^l exactly.
  @Test func complexDiscreteKernel() throws {
    let system = #"{"kind": "discrete", "Abar": [[[0, 0.5]]], "Bbar": [1], "C": [1], "length": 4}"#
    let output = try withInputFile(system) { try runJSON(["kernel", "--input", $0, "--json"]) }
    let kernel = try #require(output["kernel"]).complexVector(path: "kernel")
    let expected = [Complex<Double>(1, 0), Complex(0, 0.5), Complex(-0.25, 0), Complex(0, -0.125)]
    for (value, reference) in zip(kernel, expected) { #expect((value - reference).length <= 1e-15) }
    guard case .array(let entries)? = output["kernel"] else { Issue.record("no kernel array"); return }
    #expect(entries.allSatisfy(isComplexEncoded))
  }

  static func kernel(_ file: String) -> BadInput {
    BadInput(file, ["kernel", "--input", "@input", "--json"], file: file)
  }

  static func run(_ file: String) -> BadInput {
    BadInput(file, ["run", "--input", "@input", "--json"], file: file)
  }

  static let diagonal = #""kind": "diagonal", "lambda": [[-0.5, 1]], "B": [1], "C": [1], "dt": 0.1"#
  /// Invalid systems and options; run by ``CommandLineTests/badInput(_:)``.
  static let badInputs: [BadInput] = [
    kernel("{\(diagonal), \"length\": 0}"),
    kernel("{\(diagonal), \"length\": 2.5}"),
    kernel("{\(diagonal)}"),
    kernel(#"{"kind": "diagonal", "lambda": [[0, 1]], "B": [1], "C": [1], "dt": 0.1, "length": 4}"#),
    kernel(#"{"kind": "diagonal", "lambda": [[-1, 1]], "B": [1, 2], "C": [1], "dt": 0.1, "length": 4}"#),
    kernel(#"{"kind": "diagonal", "lambda": [[-1, 1]], "B": [1], "C": [NaN], "dt": 0.1, "length": 4}"#),
    kernel(#"{"kind": "diagonal", "lambda": [[-1, 1]], "B": [1], "C": [1], "dt": 0, "length": 4}"#),
    kernel(#"{"kind": "diagonal", "lambda": [[-1, 1]], "B": [1], "C": [1], "dt": -Infinity, "length": 4}"#),
    kernel("{\(diagonal), \"length\": 4, \"discretization\": \"euler\"}"),
    kernel("{\(diagonal), \"length\": 4, \"discretisation\": \"zoh\"}"),
    kernel(#"{"kind": "triangular", "length": 4}"#),
    kernel(#"{"kind": "dplr", "lambda": [[-1, 1]], "P": [], "B": [1], "C": [1], "dt": 0.1, "length": 4}"#),
    kernel(#"{"kind": "dplr", "lambda": [[-1, 1]], "P": [[1, 2]], "B": [1], "C": [1], "dt": 0.1, "length": 4}"#),
    kernel(#"{"kind": "dplr", "lambda": [[0.5, 1]], "P": [[1]], "B": [1], "C": [1], "dt": 0.1, "length": 4}"#),
    kernel(#"{"kind": "discrete", "Abar": [[1, 0]], "Bbar": [1], "C": [1], "length": 4}"#),
    kernel(#"{"kind": "discrete", "Abar": [[0.5]], "Bbar": [1, 2], "C": [1], "length": 4}"#),
    kernel(#"{"kind": "discrete", "Abar": [[1e200]], "Bbar": [1], "C": [1], "length": 4}"#),
    BadInput("bench step batch 0", ["bench", "step", "--batch", "0", "--channels", "4", "--state-size", "4"]),
    BadInput(
      "bench train-step batch 0", ["bench", "train-step", "--batch", "0", "--length", "30", "--width", "8"]),
    BadInput("unknown precision", ["kernel", "--input", "@input", "--precision", "float16"], file: "{\(diagonal)}"),
    run("{\(diagonal), \"D\": 1, \"u\": []}"),
    run("{\(diagonal), \"D\": 1}"),
    run("{\(diagonal), \"u\": [1, 2]}"),
    run("{\(diagonal), \"D\": 1, \"u\": [1, NaN]}"),
    run("{\(diagonal), \"D\": 1, \"u\": [1, 2], \"length\": 3}"),
    run("{\(diagonal), \"D\": [1, 2], \"u\": [1, 2]}"),
  ]
}
