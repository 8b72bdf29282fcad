/// A Thompson NFA over bytes: ε-moves and byte-range moves, one start and one accepting state.
///
/// Thompson's construction: a character set becomes one byte-range chain per UTF-8 sequence
/// (``UTF8Ranges``); concatenation links fragments by ε; alternation forks and joins by ε;
/// `X{m,n}` is `m` copies of `X` followed by `n − m` nested optional copies (`X{m,}`: a starred
/// copy), each copy built afresh.
struct ByteNFA {
  /// More states than this is ``ConstraintError/tooLarge(_:)``.
  static let maximumStates = 1_000_000

  private(set) var epsilonMoves: [[Int]] = []
  private(set) var byteMoves: [[(bytes: ClosedRange<UInt8>, target: Int)]] = []
  private(set) var start = 0
  private(set) var accept = 0

  /// The NFA of `node`.
  init(_ node: RegexNode) throws {
    let fragment = try build(node)
    start = fragment.start
    accept = fragment.end
  }

  var stateCount: Int { epsilonMoves.count }

  private mutating func newState() throws -> Int {
    guard epsilonMoves.count < Self.maximumStates else {
      throw ConstraintError.tooLarge("more than \(Self.maximumStates) automaton states before determinisation")
    }
    epsilonMoves.append([])
    byteMoves.append([])
    return epsilonMoves.count - 1
  }

  private mutating func build(_ node: RegexNode) throws -> (start: Int, end: Int) {
    switch node {
    case .empty:
      let state = try newState()
      return (state, state)
    case .scalars(let set):
      let start = try newState()
      let end = try newState()
      for range in set.ranges {
        for sequence in UTF8Ranges.sequences(range) {
          var current = start
          for (position, bytes) in sequence.enumerated() {
            let next = position == sequence.count - 1 ? end : try newState()
            byteMoves[current].append((bytes, next))
            current = next
          }
        }
      }
      return (start, end)
    case .concatenation(let items):
      var fragment = try build(items[0])
      for item in items.dropFirst() {
        let next = try build(item)
        epsilonMoves[fragment.end].append(next.start)
        fragment.end = next.end
      }
      return fragment
    case .alternation(let branches):
      let start = try newState()
      let end = try newState()
      for branch in branches {
        let fragment = try build(branch)
        epsilonMoves[start].append(fragment.start)
        epsilonMoves[fragment.end].append(end)
      }
      return (start, end)
    case .repetition(let body, let minimum, let maximum):
      let start = try newState()
      var end = start
      for _ in 0..<minimum {
        let copy = try build(body)
        epsilonMoves[end].append(copy.start)
        end = copy.end
      }
      if let maximum {
        let finish = try newState()
        for _ in minimum..<maximum {
          let copy = try build(body)
          epsilonMoves[end].append(copy.start)
          epsilonMoves[end].append(finish)
          end = copy.end
        }
        epsilonMoves[end].append(finish)
        end = finish
      } else {
        let loop = try build(body)
        let finish = try newState()
        epsilonMoves[end].append(loop.start)
        epsilonMoves[end].append(finish)
        epsilonMoves[loop.end].append(loop.start)
        epsilonMoves[loop.end].append(finish)
        end = finish
      }
      return (start, end)
    }
  }

  /// The ε-closure of `states`: every state reachable from them by ε-moves, sorted.
  func epsilonClosure(_ states: [Int]) -> [Int] {
    var seen = Set(states)
    var stack = states
    while let state = stack.popLast() {
      for target in epsilonMoves[state] where seen.insert(target).inserted { stack.append(target) }
    }
    return seen.sorted()
  }
}
