import Foundation
import Generation
import SeededRandom
import Testing

@Suite("Medusa tree: ordering, attention mask, candidate tokens, longest accepted chain")
struct MedusaTreeTests {
  let unsorted: [[Int]] = [[1, 0], [0], [0, 0, 0], [1], [0, 1], [0, 0], [2]]

  @Test func pathsAreSortedByLengthThenLexicographically() throws {
    let tree = try MedusaTree(paths: unsorted)
    #expect(tree.paths == [[0], [1], [2], [0, 0], [0, 1], [1, 0], [0, 0, 0]])
    #expect(tree.parents == [-1, 0, 0, 0, 1, 1, 2, 4])
    #expect(tree.maximumDepth == 3)
  }

  @Test func maskHasOnesExactlyAtPrefixAncestorsAndSelf() throws {
    let tree = try MedusaTree(paths: unsorted)
    let allPaths = [[]] + tree.paths
    let mask = tree.attentionMask(prefixLength: 4)
    #expect(mask.count == tree.nodeCount)
    for (node, row) in mask.enumerated() {
      #expect(row.count == 4 + tree.nodeCount)
      #expect(row[..<4].allSatisfy { $0 })
      // Independent definition: node j is an ancestor-or-self of node i when j's path is a prefix of i's.
      for other in 0..<tree.nodeCount {
        let isPrefix = allPaths[node].starts(with: allPaths[other])
        #expect(row[4 + other] == isPrefix, "node \(node) column \(other)")
      }
    }
  }

  @Test func tokensComeFromEachHeadsTopList() throws {
    let tree = try MedusaTree(paths: [[0], [1], [0, 0], [1, 2]])
    // Head 1's top tokens [7, 3], head 2's [5, 9, 4]: node [1, 2] is head 2's third token, 4.
    #expect(try tree.tokens(root: 11, topTokens: [[7, 3], [5, 9, 4]]) == [11, 7, 3, 5, 4])
    #expect(throws: MedusaError.topIndexOutOfRange(index: 2, available: 2)) {
      try tree.tokens(root: 11, topTokens: [[7, 3], [5, 9]])
    }
    #expect(throws: MedusaError.pathTooDeep(path: [0, 0], heads: 1)) { try tree.tokens(root: 0, topTokens: [[7, 3]]) }
  }

  @Test func longestAcceptedChainMatchesEnumeration() throws {
    let tree = try MedusaTree(paths: unsorted)
    let allPaths = [[]] + tree.paths
    var generator = SeededGenerator(seed: 1)
    for _ in 0..<200 {
      let accepts = (0..<tree.nodeCount).map { _ in generator.nextUnitInterval() < 0.6 }
      // Few distinct scores so ties in depth and score both occur.
      let scores = (0..<tree.nodeCount).map { _ in Double(Int(generator.nextUnitInterval() * 3)) }
      let chain = tree.longestAcceptedChain(accepts: { accepts[$0] }, logLikelihood: { scores[$0] })
      // Reference: a node is accepted when every non-empty prefix of its path is; best by
      // (depth, score) with the first node in tree order on a tie.
      func node(_ path: [Int]) -> Int { allPaths.firstIndex(of: path)! }
      func chainNodes(_ index: Int) -> [Int] { (0...allPaths[index].count).map { node(Array(allPaths[index][..<$0])) } }
      var best = 0
      var bestScore = 0.0
      for index in 1..<tree.nodeCount {
        let nodes = chainNodes(index)
        guard nodes.dropFirst().allSatisfy({ accepts[$0] }) else { continue }
        let score = nodes.dropFirst().reduce(0.0) { $0 + scores[$1] }
        let (depth, bestDepth) = (allPaths[index].count, allPaths[best].count)
        if depth > bestDepth || (depth == bestDepth && score > bestScore) { (best, bestScore) = (index, score) }
      }
      #expect(chain == chainNodes(best))
    }
  }

  @Test func badTreesThrow() {
    #expect(throws: MedusaError.invalidPath([])) { try MedusaTree(paths: [[0], []]) }
    #expect(throws: MedusaError.invalidPath([0, -1])) { try MedusaTree(paths: [[0], [0, -1]]) }
    #expect(throws: MedusaError.duplicatePath([0])) { try MedusaTree(paths: [[0], [0]]) }
    #expect(throws: MedusaError.missingParent([1, 0])) { try MedusaTree(paths: [[0], [1, 0]]) }
  }
}

@Suite("Typical acceptance: p(x) > min(ε, δ·exp(−H(p)))")
struct TypicalAcceptanceTests {
  @Test func flatDistributionUsesTheEntropyThreshold() throws {
    let rule = try TypicalAcceptance()
    // Uniform over 4: H = log 4, δ e^{−H} = 0.3/4 = 0.075 < ε = 0.09; p = 0.25 passes.
    let uniform = [Double](repeating: 0.25, count: 4)
    #expect(abs(rule.threshold(uniform) - 0.075) <= 1e-12)
    #expect(try rule.accepts(2, probabilities: uniform))
    // Uniform over 100 with a zero entry: H = log 100 (zeros add nothing), threshold 0.003.
    let wide = [Double](repeating: 0.01, count: 100) + [0]
    #expect(abs(rule.threshold(wide) - 0.003) <= 1e-12)
    #expect(try !rule.accepts(100, probabilities: wide))
  }

  @Test func peakedDistributionUsesEpsilon() throws {
    let rule = try TypicalAcceptance()
    // [0.97, 0.01 × 3]: H ≈ 0.168, δ e^{−H} ≈ 0.254 > ε, so the threshold is ε = 0.09 exactly.
    let peaked = [0.97, 0.01, 0.01, 0.01]
    #expect(rule.threshold(peaked) == 0.09)
    #expect(try rule.accepts(0, probabilities: peaked))
    #expect(try !rule.accepts(1, probabilities: peaked))
    // [0.5, 0.08, 0.42]: H = −(0.5 ln 0.5 + 0.08 ln 0.08 + 0.42 ln 0.42) ≈ 0.913, δ e^{−H} ≈ 0.120 > ε,
    // so the threshold is ε and 0.08 < 0.09 is rejected although it is above a tenth of the mass.
    let middle = [0.5, 0.08, 0.42]
    #expect(rule.threshold(middle) == 0.09)
    #expect(try !rule.accepts(1, probabilities: middle))
  }

  @Test func badInputThrows() throws {
    #expect(throws: MedusaError.invalidTypicalParameter(name: "epsilon", value: 0)) {
      try TypicalAcceptance(epsilon: 0)
    }
    #expect(throws: MedusaError.invalidTypicalParameter(name: "delta", value: -.infinity)) {
      try TypicalAcceptance(delta: -.infinity)
    }
    #expect(throws: MedusaError.tokenOutOfRange(token: 3, vocabulary: 3)) {
      try TypicalAcceptance().accepts(3, probabilities: [0.2, 0.3, 0.5])
    }
  }
}
