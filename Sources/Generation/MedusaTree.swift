/// A Medusa candidate tree (`medusa_choices` in the published code). Node 0 is the root, the
/// backbone's own next token; every other node is a path `[i₁, …, i_d]` meaning "the `i₁`-th most
/// likely token of head 1, then the `i₂`-th of head 2, …". Paths are sorted by length, then
/// lexicographically, and every path's parent (the path without its last index) is in the tree,
/// so a node's parent always precedes it.
///
/// Verification reads the prefix of length `P` and all nodes in one pass: node `i` sits at position
/// `P + depth(i)` and attends to the prefix, its ancestors and itself (``attends(_:to:)``).
public struct MedusaTree: Sendable, Equatable {
  /// The paths of nodes `1 …`, sorted (node `i` is `paths[i - 1]`).
  public let paths: [[Int]]
  /// `parents[i]`: the parent node of node `i` (`-1` for the root).
  public let parents: [Int]

  /// The tree of `paths` in any order; throws ``MedusaError`` for an empty or negative path, a
  /// duplicate, or a path whose parent is missing.
  public init(paths: [[Int]]) throws {
    for path in paths where path.isEmpty || path.contains(where: { $0 < 0 }) {
      throw MedusaError.invalidPath(path)
    }
    let sorted = paths.sorted { $0.count != $1.count ? $0.count < $1.count : $0.lexicographicallyPrecedes($1) }
    var index: [[Int]: Int] = [[]: 0]
    var parents = [-1]
    for path in sorted {
      guard index[path] == nil else { throw MedusaError.duplicatePath(path) }
      guard let parent = index[Array(path.dropLast())] else { throw MedusaError.missingParent(path) }
      index[path] = parents.count
      parents.append(parent)
    }
    self.paths = sorted
    self.parents = parents
  }

  /// The tree of one path through the top token of each of `depth` heads: `[0], [0, 0], …`
  /// (`depth ≥ 1`; `0` gives the root alone).
  public static func chain(depth: Int) -> MedusaTree {
    try! MedusaTree(paths: (0..<max(0, depth)).map { [Int](repeating: 0, count: $0 + 1) })
  }

  /// A small tree for `heads` heads: the top three tokens of head 1, the top two of head 2 below
  /// head 1's first and its top token below head 1's second, then head `k`'s top token below the
  /// chain of first tokens for `k ≥ 3`: `[0], [1], [2], [0,0], [0,1], [1,0], [0,0,0], …` (3 nodes
  /// below the root for one head, `heads + 4` for more). Few nodes keep a verification pass near the
  /// cost of one step for small models, where the published 63-node trees would cost several.
  public static func compact(heads: Int) -> MedusaTree {
    var paths: [[Int]] = [[0], [1], [2]]
    if heads >= 2 { paths += [[0, 0], [0, 1], [1, 0]] }
    if heads >= 3 { paths += (3...heads).map { [Int](repeating: 0, count: $0) } }
    return try! MedusaTree(paths: paths)
  }

  /// The tree of the nodes of depth at most `depth` (a prefix of the nodes, which are sorted by
  /// depth, so node indices are kept).
  public func truncated(maximumDepth depth: Int) -> MedusaTree {
    try! MedusaTree(paths: Array(paths.prefix { $0.count <= depth }))
  }

  /// How many top tokens each head must propose: entry `d` is one more than the largest index of
  /// the paths of depth `d + 1` (`maximumDepth` entries).
  public var topCounts: [Int] {
    (0..<maximumDepth).map { index in 1 + paths.filter { $0.count == index + 1 }.map { $0.last! }.max()! }
  }

  /// The number of nodes, root included.
  public var nodeCount: Int { parents.count }

  /// The depth of node `node` (the root is 0); node `node` is at position `prefix length + depth`.
  public func depth(of node: Int) -> Int { node == 0 ? 0 : paths[node - 1].count }

  /// The deepest path's length: the number of heads the tree needs.
  public var maximumDepth: Int { paths.last?.count ?? 0 }

  /// Whether node `node` attends to node `other`: `other` is `node` or one of its ancestors.
  public func attends(_ node: Int, to other: Int) -> Bool {
    var current = node
    while current >= 0 {
      if current == other { return true }
      current = parents[current]
    }
    return false
  }

  /// The attention mask of the verification pass, `nodeCount × (prefixLength + nodeCount)`
  /// row-major: row `i` is true at every prefix position and at the columns `prefixLength + j`
  /// of the nodes `j` that node `i` attends to.
  public func attentionMask(prefixLength: Int) -> [[Bool]] {
    (0..<nodeCount).map { node in
      Array(repeating: true, count: prefixLength) + (0..<nodeCount).map { attends(node, to: $0) }
    }
  }

  /// The token of every node: `root` for node 0 and `topTokens[d - 1][i_d]` for a path ending
  /// in index `i_d` at depth `d`, where `topTokens[h]` lists head `h + 1`'s tokens, most likely first.
  public func tokens(root: Int, topTokens: [[Int]]) throws -> [Int] {
    var tokens = [root]
    for path in paths {
      guard path.count <= topTokens.count else { throw MedusaError.pathTooDeep(path: path, heads: topTokens.count) }
      let candidates = topTokens[path.count - 1]
      guard let last = path.last, last < candidates.count else {
        throw MedusaError.topIndexOutOfRange(index: path.last ?? 0, available: candidates.count)
      }
      tokens.append(candidates[last])
    }
    return tokens
  }

  /// The longest accepted root-to-node chain (node indices, root first). A node other than the
  /// root is accepted when its parent is and `accepts(node)` holds; among the deepest accepted
  /// nodes the one with the largest `Σ logLikelihood` over its chain's non-root nodes wins (the first
  /// in tree order on a tie).
  public func longestAcceptedChain(accepts: (Int) -> Bool, logLikelihood: (Int) -> Double) -> [Int] {
    var accepted = [true]
    var score = [0.0]
    var best = 0
    for node in 1..<nodeCount {
      let parent = parents[node]
      let isAccepted = accepted[parent] && accepts(node)
      accepted.append(isAccepted)
      score.append(isAccepted ? score[parent] + logLikelihood(node) : -.infinity)
      if isAccepted,
        depth(of: node) > depth(of: best) || (depth(of: node) == depth(of: best) && score[node] > score[best])
      {
        best = node
      }
    }
    var chain: [Int] = []
    var current = best
    while current >= 0 {
      chain.append(current)
      current = parents[current]
    }
    return chain.reversed()
  }
}
