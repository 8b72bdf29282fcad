import Autodiff
import Testing

/// Toy modules exercising every rule of the `Module` traversal, each parameter named `p<k>` with
/// `k` its position in the expected visiting order, so the order is read off the names.
private struct Pair: Module {
  let first: Parameter
  let second: Parameter
}

private enum Mixer: Module {
  case identity
  case single(Pair)
  case double(Parameter, [Pair])
}

private class Base: Module {
  let inherited: Parameter
  init(inherited: Parameter) { self.inherited = inherited }
}

private final class Derived: Base {
  let own: Parameter
  init(inherited: Parameter, own: Parameter) {
    self.own = own
    super.init(inherited: inherited)
  }
}

/// Leaves out ``cache`` (a parameter-shaped scratch value, not trained) by implementing
/// `namedParameters` by hand.
private struct Excluding: Module {
  let kept: Parameter
  let cache: Parameter
  var namedParameters: [NamedParameter] { [NamedParameter(path: "kept", parameter: kept)] }
}

private struct Toy: Module {
  let label: String
  let scale: Tensor
  let head: Parameter
  let absent: Pair?
  let present: Pair?
  let grid: [[Parameter]]
  let sparse: [Pair?]
  let mixer: Mixer
  let plain: Mixer
  let tuple: (Parameter, Pair)
  let object: Derived
  let excluding: Excluding
  let tail: Parameter
}

@Suite("Module: parameters found by traversal of stored properties")
struct ModuleTraversalTests {
  /// A parameter named `p<index>` of `shape`, zero-valued.
  static func parameter(_ index: Int, _ shape: [Int] = [1]) -> Parameter {
    Parameter(name: "p\(index)", value: Tensor(shape: shape))
  }

  @Test func visitsEveryRuleInDeclarationOrder() throws {
    let p = (0..<20).map { Self.parameter($0, [$0 % 3 + 1, 2]) }
    let toy = Toy(
      label: "skipped", scale: Tensor(shape: [4], repeating: 1), head: p[0], absent: nil,
      present: Pair(first: p[1], second: p[2]), grid: [[p[3], p[4]], [], [p[5]]],
      sparse: [Pair(first: p[6], second: p[7]), nil, Pair(first: p[8], second: p[9])],
      mixer: .double(p[10], [Pair(first: p[11], second: p[12])]), plain: .identity,
      tuple: (p[13], Pair(first: p[14], second: p[15])), object: Derived(inherited: p[16], own: p[17]),
      excluding: Excluding(kept: p[18], cache: Self.parameter(99)), tail: p[19])
    #expect(toy.parameters.map(\.name) == p.map(\.name))
    #expect(zip(toy.parameters, p).allSatisfy { $0 === $1 })
    #expect(
      toy.namedParameters.map(\.path) == [
        "head", "present.first", "present.second", "grid.0.0", "grid.0.1", "grid.2.0", "sparse.0.first",
        "sparse.0.second", "sparse.2.first", "sparse.2.second", "mixer.double.0", "mixer.double.1.0.first",
        "mixer.double.1.0.second", "tuple.0", "tuple.1.first", "tuple.1.second", "object.inherited", "object.own",
        "excluding.kept", "tail",
      ])
    // Shapes (k mod 3 + 1) × 2: k = 0 … 19 gives 7 ones, 7 twos and 6 threes of the first factor,
    // so Σ |p| = 2 · (7·1 + 7·2 + 6·3) = 78.
    #expect(toy.parameterCount == 78)
  }

  @Test func enumVisitsThePayloadOfItsCase() {
    let (a, b) = (Self.parameter(0), Self.parameter(1))
    #expect(Mixer.identity.parameters.isEmpty)
    #expect(Mixer.single(Pair(first: a, second: b)).namedParameters.map(\.path) == ["single.first", "single.second"])
    #expect(Mixer.single(Pair(first: a, second: b)).parameters.map(\.name) == ["p0", "p1"])
  }

  @Test func containersOfParametersAndModules() {
    let (a, b, c) = (Self.parameter(0, [2, 3]), Self.parameter(1, [5]), Self.parameter(2, [1, 1, 4]))
    #expect([a, b].parameters.map(\.name) == ["p0", "p1"])
    #expect([a, b].parameterCount == 11)
    #expect(
      [Pair(first: a, second: b), Pair(first: c, second: a)].namedParameters.map(\.path) == [
        "0.first", "0.second", "1.first", "1.second",
      ])
    #expect(Optional<Pair>.none.parameters.isEmpty)
    #expect(Optional(Pair(first: c, second: b)).parameterCount == 9)
    #expect(Pair(first: a, second: c).parameterCount == 10)
  }
}
