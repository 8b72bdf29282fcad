import ArgumentParser
import HiPPO
import SSMJSON

/// `ssm hippo`: the continuous-time operator (A, B) and optionally its rank correction P.
struct HiPPOCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hippo",
    abstract: "Print a HiPPO operator: A (N×N), B (N) and, with --rank, the rank correction P (R×N).")

  @OptionGroup var options: MeasureOptions

  @Flag(help: "Print {\"A\": [[…]], \"B\": […], \"P\": [[…]]} (P only with --rank).")
  var json = false

  func run() throws {
    let measure = try options.resolvedMeasure()
    try MemoryBudget.check(.hippoOperator(stateSize: options.stateSize, rank: options.rank))
    let (a, b) = try measure.transition(stateSize: options.stateSize)
    let p = try options.rank.map { try measure.rankCorrection(stateSize: options.stateSize, rank: $0) }
    var members: [(key: String, value: JSONValue)] = [("A", .realRows(a.rowArrays)), ("B", .realVector(b))]
    if let p { members.append(("P", .realRows(p.rowArrays))) }
    try emit(.object(members), json: json) {
      print(describeMatrix("A", a))
      print(describeVector("B", b))
      if let p { print(describeMatrix("P", p)) }
    }
  }
}
