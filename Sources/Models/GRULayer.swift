import Autodiff
import LayerOperations
import SeededRandom

/// One GRU layer of width `H` (PyTorch's `nn.GRU` with `input_size = hidden_size = H`, gate
/// order `r, z, n`): the input projection `x_t = u_t W_ih + b_ih` (`H → 3H`) for all positions
/// at once, then the recurrence `Tape/gruRecurrence(_:hiddenWeight:hiddenBias:initialHidden:)`
/// with `W_hh` (`H × 3H`) and `b_hh` (`3H`).
///
/// Every weight and bias is initialised uniformly in `±1/√H`, as PyTorch does.
public struct GRULayer: Module {
  /// `W_ih` (`H × 3H`) and `b_ih` (`3H`), named `name.inputProjection.*`.
  public let inputProjection: Linear
  /// `W_hh = [W_hr | W_hz | W_hn]`, `H × 3H`, named `name.hiddenWeight`.
  public let hiddenWeight: Parameter
  /// `b_hh = [b_hr, b_hz, b_hn]`, `3H`, named `name.hiddenBias`.
  public let hiddenBias: Parameter

  /// A seeded layer of width `width` named `name.*`.
  public init(name: String, width: Int, generator: inout SeededGenerator) {
    inputProjection = Linear(
      name: "\(name).inputProjection", inputs: width, outputs: 3 * width, generator: &generator)
    let bound = 1 / Float(width).squareRoot()
    let uniform = { (shape: [Int], g: inout SeededGenerator) in
      try! Tensor(
        shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(2 * g.nextUnitInterval() - 1) * bound })
    }
    hiddenWeight = Parameter(name: "\(name).hiddenWeight", value: uniform([width, 3 * width], &generator))
    hiddenBias = Parameter(name: "\(name).hiddenBias", value: uniform([3 * width], &generator))
  }

  /// The hidden states `h_1 … h_L` (`B × L × H`) for the inputs `u` (`B × L × H`), starting from
  /// `initialHidden` (`h₀`, `B × H`).
  public func callAsFunction(_ u: Variable, initialHidden: Variable, on tape: Tape) throws -> Variable {
    try tape.gruRecurrence(
      inputProjection(u, on: tape), hiddenWeight: tape.parameter(hiddenWeight), hiddenBias: tape.parameter(hiddenBias),
      initialHidden: initialHidden)
  }
}
