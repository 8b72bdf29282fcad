/// A deterministic automaton over bytes whose every state is *live*: some byte string leads from
/// it to an accepting state. A missing move (`next` returns `nil`) leaves the language.
///
/// Built from a regular expression by ``init(regex:minimize:)``: parse → Thompson NFA → subset
/// construction → dead states pruned → optionally minimised (Moore's partition refinement);
/// states are numbered in breadth-first order from the start (state 0), bytes ascending.
public struct ByteDFA: Sendable, Equatable {
  /// More states than this is ``ConstraintError/tooLarge(_:)``.
  public static let maximumStates = 200_000

  /// `transitions[256 · s + b]`: the state after byte `b` from state `s`, `-1` for none.
  let transitions: [Int32]
  /// Whether each state accepts (the bytes read so far form a string of the language).
  public let accepting: [Bool]

  /// The start state, 0.
  public var start: Int { 0 }
  /// The number of states.
  public var stateCount: Int { accepting.count }

  /// A DFA from its transition table (`256 · accepting.count` entries, `-1` for none) with state 0
  /// as the start; states that cannot reach acceptance or are unreachable are removed and the rest
  /// renumbered breadth-first.
  /// - Throws: ``ConstraintError/emptyLanguage`` when no accepting state is reachable.
  init(transitions: [Int32], accepting: [Bool]) throws {
    let count = accepting.count
    var live = accepting
    var predecessors = [[Int]](repeating: [], count: count)
    for state in 0..<count {
      for byte in 0..<256 where transitions[state * 256 + byte] >= 0 {
        predecessors[Int(transitions[state * 256 + byte])].append(state)
      }
    }
    var stack = (0..<count).filter { accepting[$0] }
    while let state = stack.popLast() {
      for predecessor in predecessors[state] where !live[predecessor] {
        live[predecessor] = true
        stack.append(predecessor)
      }
    }
    guard count > 0, live[0] else { throw ConstraintError.emptyLanguage }
    var number = [Int32](repeating: -1, count: count)
    var order = [0]
    number[0] = 0
    var cursor = 0
    while cursor < order.count {
      let state = order[cursor]
      cursor += 1
      for byte in 0..<256 {
        let target = Int(transitions[state * 256 + byte])
        if target >= 0, live[target], number[target] < 0 {
          number[target] = Int32(order.count)
          order.append(target)
        }
      }
    }
    var renumbered = [Int32](repeating: -1, count: order.count * 256)
    for (new, old) in order.enumerated() {
      for byte in 0..<256 {
        let target = Int(transitions[old * 256 + byte])
        if target >= 0 { renumbered[new * 256 + byte] = number[target] }
      }
    }
    self.transitions = renumbered
    self.accepting = order.map { accepting[$0] }
  }

  /// The state after `byte` from `state`, `nil` when no string of the language continues so.
  public func next(_ state: Int, _ byte: UInt8) -> Int? {
    let target = transitions[state * 256 + Int(byte)]
    return target >= 0 ? Int(target) : nil
  }

  /// The state after reading `bytes` from `state`, `nil` once a byte leaves the language.
  public func state<Bytes: Sequence<UInt8>>(after bytes: Bytes, from state: Int = 0) -> Int? {
    var current = state
    for byte in bytes {
      guard let next = next(current, byte) else { return nil }
      current = next
    }
    return current
  }

  /// Whether `bytes` is a string of the language.
  public func accepts<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool {
    state(after: bytes).map { accepting[$0] } ?? false
  }
}
