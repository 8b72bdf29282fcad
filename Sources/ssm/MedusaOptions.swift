import ArgumentParser
import Foundation
import Generation
import Models
import SSMJSON
import Training

/// `--speculate medusa` and its settings, shared by `ssm generate` and `ssm bench speculative`.
struct MedusaOptions: ParsableArguments {
  /// Self-speculation with heads stored in the checkpoint.
  enum Speculation: String, CaseIterable, ExpressibleByArgument {
    case medusa
  }

  @Option(
    help: ArgumentHelp(
      "medusa: verify the backbone's next token and a tree of its Medusa heads' top tokens in one pass "
        + "(heads from ssm train --medusa-heads)."))
  var speculate: Speculation?
  @Option(
    help: ArgumentHelp(
      "With --speculate medusa: a JSON file of tree paths, e.g. [[0],[1],[0,0]] (path [i, j]: head 1's i-th "
        + "token, then head 2's j-th; every path's parent included). Default: [[0],[1],[2],[0,0],[0,1],[1,0]] "
        + "and the chain of first tokens to the last head."))
  var tree: String?
  @Option(help: "With --speculate medusa and sampling: typical acceptance's ε > 0 (default 0.09).")
  var typicalEpsilon: Double?
  @Option(help: "With --speculate medusa and sampling: typical acceptance's δ > 0 (default 0.3).")
  var typicalDelta: Double?

  func validate() throws {
    if speculate == nil, tree != nil || typicalEpsilon != nil || typicalDelta != nil {
      throw ValidationError("--tree, --typical-epsilon and --typical-delta apply with --speculate medusa only")
    }
    for (name, value) in [("--typical-epsilon", typicalEpsilon), ("--typical-delta", typicalDelta)] {
      if let value, !(value.isFinite && value > 0) { throw ValidationError("\(name) must be finite and > 0") }
    }
  }

  /// The Medusa heads of `checkpoint`'s Medusa-1 run, on its `model`.
  /// - Throws: a clear error for a checkpoint without heads.
  func heads(checkpoint: String, model: any SequenceModel) throws -> MedusaHeads {
    guard let heads = try TrainingRun.medusaHeads(fromCheckpoint: URL(fileURLWithPath: checkpoint), on: model) else {
      throw InputError.inapplicableOption(
        "\(checkpoint) has no Medusa heads: --speculate medusa needs a checkpoint of "
          + "ssm train --medusa-heads K --initialize-from BACKBONE")
    }
    return heads
  }

  /// The tree (``MedusaTree/compact(heads:)`` for `heads` heads unless `--tree` names one) and the
  /// typical-acceptance thresholds.
  func parameters(heads: Int) throws -> MedusaParameters {
    let typical = try TypicalAcceptance(epsilon: typicalEpsilon ?? 0.09, delta: typicalDelta ?? 0.3)
    guard let tree else { return MedusaParameters(tree: .compact(heads: heads), typicalAcceptance: typical) }
    let invalid = { (reason: String) in InputError.unreadableFile(path: tree, reason: reason) }
    guard case .array(let entries) = try readJSONFile(tree) else {
      throw invalid("a Medusa tree is a JSON array of paths, each an array of top-k indices")
    }
    let paths = try entries.map { entry -> [Int] in
      guard case .array(let indices) = entry else { throw invalid("path \(entry) is not an array") }
      return try indices.map { index in
        guard case .number(let value) = index, value == value.rounded(), value >= 0, value < 1e6 else {
          throw invalid("path \(entry) holds \(index), not a top-k index ≥ 0")
        }
        return Int(value)
      }
    }
    return MedusaParameters(tree: try MedusaTree(paths: paths), typicalAcceptance: typical)
  }
}
