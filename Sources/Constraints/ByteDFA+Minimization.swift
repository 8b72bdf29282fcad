extension ByteDFA {
  /// The minimal DFA of the same language (Moore's partition refinement): start from the
  /// partition {accepting, non-accepting} and split classes by the classes of their 256 moves
  /// (a missing move is its own class) until no class splits; each class becomes one state.
  /// Every state stays live, since a class holds only live states.
  public func minimized() throws -> ByteDFA {
    var classes = accepting.map { $0 ? 1 : 0 }
    var classCount = Set(classes).count
    while true {
      var signatures: [[Int]: Int] = [:]
      var refined = [Int](repeating: 0, count: stateCount)
      for state in 0..<stateCount {
        var signature = [classes[state]]
        signature.reserveCapacity(257)
        for byte in 0..<256 {
          let target = transitions[state * 256 + byte]
          signature.append(target >= 0 ? classes[Int(target)] : -1)
        }
        if let known = signatures[signature] {
          refined[state] = known
        } else {
          refined[state] = signatures.count
          signatures[signature] = signatures.count
        }
      }
      classes = refined
      guard signatures.count > classCount else { break }
      classCount = signatures.count
    }
    var table = [Int32](repeating: -1, count: classCount * 256)
    var classAccepts = [Bool](repeating: false, count: classCount)
    for state in 0..<stateCount {
      classAccepts[classes[state]] = accepting[state]
      for byte in 0..<256 {
        let target = transitions[state * 256 + byte]
        if target >= 0 { table[classes[state] * 256 + byte] = Int32(classes[Int(target)]) }
      }
    }
    // The start's class must become state 0 for the renumbering; swap it with class 0.
    let startClass = classes[0]
    func swapped(_ value: Int) -> Int { value == startClass ? 0 : value == 0 ? startClass : value }
    var ordered = [Int32](repeating: -1, count: classCount * 256)
    for old in 0..<classCount {
      for byte in 0..<256 where table[old * 256 + byte] >= 0 {
        ordered[swapped(old) * 256 + byte] = Int32(swapped(Int(table[old * 256 + byte])))
      }
    }
    return try ByteDFA(transitions: ordered, accepting: (0..<classCount).map { classAccepts[swapped($0)] })
  }
}
