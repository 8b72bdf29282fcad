import ArgumentParser
import HiPPO

/// The measures accepted on the command line.
enum MeasureName: String, CaseIterable, ExpressibleByArgument {
  case legs, legt, lmu, lagt, tlagt, fout
}

/// Options shared by `ssm hippo` and `ssm dplr`.
struct MeasureOptions: ParsableArguments {
  @Argument(help: "The measure: legs, legt, lmu, lagt, tlagt or fout.")
  var measure: MeasureName

  @Option(name: .customLong("state-size"), help: "The state size N.")
  var stateSize: Int

  @Option(help: "Window length θ of legt and lmu (default 1; the official S4 legt is θ = 2).")
  var theta: Double?

  @Option(help: "Tilt β of tlagt (default 1, the HiPPO paper's LagT).")
  var beta: Double?

  @Option(help: "Rows of the rank correction P (default: the measure's natural rank).")
  var rank: Int?

  /// The measure with its parameters; rejects options the measure does not take.
  func resolvedMeasure() throws -> Measure {
    if theta != nil, measure != .legt, measure != .lmu {
      throw InputError.inapplicableOption("--theta applies only to legt and lmu, not \(measure.rawValue)")
    }
    if beta != nil, measure != .tlagt {
      throw InputError.inapplicableOption("--beta applies only to tlagt, not \(measure.rawValue)")
    }
    switch measure {
    case .legs: return .legs
    case .legt: return .legt(theta: theta ?? 1)
    case .lmu: return .lmu(theta: theta ?? 1)
    case .lagt: return .lagt
    case .tlagt: return .tlagt(beta: beta ?? 1)
    case .fout: return .fout
    }
  }
}
