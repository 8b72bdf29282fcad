/// The settings of Medusa decoding (``medusaGenerate(_:heads:prompt:options:medusa:)``) that
/// ``GenerationOptions`` does not hold.
public struct MedusaParameters: Sendable, Equatable {
  /// The candidate tree verified in each pass.
  public var tree: MedusaTree
  /// The acceptance rule when sampling (greedy decoding accepts a candidate exactly when it is the
  /// backbone's argmax).
  public var typicalAcceptance: TypicalAcceptance

  /// Parameters with the given tree (by default ``MedusaTree/chain(depth:)`` of depth 3: each head's
  /// top token) and the published typical acceptance (`ε = 0.09`, `δ = 0.3`).
  public init(tree: MedusaTree = .chain(depth: 3), typicalAcceptance: TypicalAcceptance = .published) {
    self.tree = tree
    self.typicalAcceptance = typicalAcceptance
  }
}
