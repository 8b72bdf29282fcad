import Autodiff

/// A tree of candidate tokens read from a recurrent state in one verification (Medusa's tree of
/// head proposals): node `i` holds token `tokens[i]` and follows node `parents[i] < i`, or the
/// tokens the state had read when `parents[i] = -1`. Node `i`'s *path* is the chain of nodes from
/// such a first node down to `i`; its logits and hidden state are those after reading the state's
/// tokens and then the path's tokens, and ``SequenceModel/state(after:of:)`` gives the state
/// that has read exactly one path.
public struct TreeReading<State> {
  /// How the node states are held.
  public enum NodeStates {
    /// The state after each node's path (a fork of its parent's state stepped by one token).
    case forked([State])
    /// One state that has read every node in one pass (a transformer's caches hold every node's
    /// entry after the `start` positions read before, in node order).
    case shared(State, start: Int)
  }

  /// `N` tokens, one per node.
  public let tokens: [Int]
  /// `parents[i]`, in `-1 ..< i`.
  public let parents: [Int]
  /// `N × V`: row `i` scores the token after node `i`'s path.
  public let logits: Tensor
  /// `N × H`: the last hidden state at node `i` (what the output layer and Medusa heads read).
  public let hidden: Tensor
  /// The states of the nodes.
  public let states: NodeStates

  /// Checks `tokens` and `parents` describe a tree: one parent per token, `parents[i] ∈ -1 ..< i`.
  /// - Throws: `AutodiffError/invalidArgument(_:)` otherwise (or for no nodes).
  public static func validate(tokens: [Int], parents: [Int]) throws {
    guard !tokens.isEmpty, tokens.count == parents.count else {
      throw AutodiffError.invalidArgument(
        "a tree of \(tokens.count) tokens needs as many parents, got \(parents.count)")
    }
    for (node, parent) in parents.enumerated() where !(-1..<node).contains(parent) {
      throw AutodiffError.invalidArgument("tree node \(node) has parent \(parent), not in -1..<\(node)")
    }
  }

  /// Checks `path` is a node's path: non-empty, its first node following the read tokens
  /// (`parents = -1`), each next node a child of the one before.
  /// - Throws: `AutodiffError/invalidArgument(_:)` otherwise.
  public func validatePath(_ path: [Int]) throws {
    let isPath =
      !path.isEmpty && path.allSatisfy { parents.indices.contains($0) } && parents[path[0]] == -1
      && zip(path, path.dropFirst()).allSatisfy { parents[$1] == $0 }
    guard isPath else { throw AutodiffError.invalidArgument("\(path) is not a path of the tree \(parents)") }
  }
}
