import ArgumentParser
import HiPPO
import SSMJSON

/// `ssm dplr`: the NPLR → DPLR decomposition of a HiPPO operator.
struct DPLRCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dplr",
    abstract: "Print the DPLR form A = V(diag Λ − P̃P̃ᴴ)Vᴴ over the conjugate-extended system (N even).")

  @OptionGroup var options: MeasureOptions

  @Flag(help: "Print {\"lambda\", \"P\", \"B\", \"V\", \"normalResidual\"} (complex numbers as [re, im]).")
  var json = false

  func run() throws {
    let measure = try options.resolvedMeasure()
    try MemoryBudget.check(.decomposition(stateSize: options.stateSize))
    let dplr = try measure.dplr(stateSize: options.stateSize, rank: options.rank)
    let output: JSONValue = .object([
      ("lambda", .complexVector(dplr.lambda)),
      ("P", .complexRows(dplr.p.rowArrays)),
      ("B", .complexVector(dplr.b)),
      ("V", .complexRows(dplr.v.rowArrays)),
      ("normalResidual", .real(dplr.normalResidual)),
    ])
    try emit(output, json: json) {
      print(describeComplexVector("Λ (Im ≤ 0, ascending)", dplr.lambda))
      print(describeComplexVector("B̃ = VᴴB", dplr.b))
      for r in 0..<dplr.p.rows { print(describeComplexVector("P̃[\(r)] = VᴴP[\(r)]", dplr.p.row(r))) }
      print("normal-part residual: \(dplr.normalResidual)")
    }
  }
}
