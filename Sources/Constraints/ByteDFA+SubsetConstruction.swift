extension ByteDFA {
  /// The subset construction of `nfa`: each DFA state is the ε-closure of a set of NFA states, and
  /// its move on byte `b` is the ε-closure of the NFA moves on `b`; it accepts when it holds the
  /// NFA's accepting state. Bytes are handled in intervals on which every NFA move of the set
  /// agrees. The result is pruned to live states (``init(transitions:accepting:)``).
  init(nfa: ByteNFA) throws {
    var transitions: [Int32] = []
    var accepting: [Bool] = []
    var sets: [[Int]] = []
    var numbers: [[Int]: Int32] = [:]
    func number(of set: [Int]) throws -> Int32 {
      if let known = numbers[set] { return known }
      guard sets.count < Self.maximumStates else {
        throw ConstraintError.tooLarge("more than \(Self.maximumStates) deterministic automaton states")
      }
      let new = Int32(sets.count)
      numbers[set] = new
      sets.append(set)
      accepting.append(set.contains(nfa.accept))
      transitions += [Int32](repeating: -1, count: 256)
      return new
    }
    _ = try number(of: nfa.epsilonClosure([nfa.start]))
    var cursor = 0
    while cursor < sets.count {
      let moves = sets[cursor].flatMap { nfa.byteMoves[$0] }
      var cuts = Set<Int>([0, 256])
      for move in moves {
        cuts.insert(Int(move.bytes.lowerBound))
        cuts.insert(Int(move.bytes.upperBound) + 1)
      }
      let bounds = cuts.sorted()
      for (low, high) in zip(bounds, bounds.dropFirst()) {
        let targets = moves.filter { $0.bytes.contains(UInt8(low)) }.map(\.target)
        guard !targets.isEmpty else { continue }
        let target = try number(of: nfa.epsilonClosure(targets))
        for byte in low..<high { transitions[cursor * 256 + byte] = target }
      }
      cursor += 1
    }
    try self.init(transitions: transitions, accepting: accepting)
  }
}
