import Autodiff
import SeededRandom

/// `y = x W + b` on the last axis, `W` (`in × out`) and `b` initialised uniformly in
/// `±1/√in` (PyTorch's default for linear layers).
public struct Linear: Layer {
  /// `W`, `in × out`.
  public let weight: Parameter
  /// `b`, `out`.
  public let bias: Parameter

  /// A seeded layer named `name.weight`, `name.bias`.
  public init(name: String, inputs: Int, outputs: Int, generator: inout SeededGenerator) {
    let bound = 1 / Float(inputs).squareRoot()
    let uniform = { (count: Int, g: inout SeededGenerator) in
      (0..<count).map { _ in Float(2 * g.nextUnitInterval() - 1) * bound }
    }
    weight = Parameter(
      name: "\(name).weight",
      value: try! Tensor(shape: [inputs, outputs], values: uniform(inputs * outputs, &generator)))
    bias = Parameter(name: "\(name).bias", value: try! Tensor(shape: [outputs], values: uniform(outputs, &generator)))
  }

  /// Applies the layer on `tape`.
  public func callAsFunction(_ x: Variable, on tape: Tape) throws -> Variable {
    try tape.linear(x, weight: tape.parameter(weight), bias: tape.parameter(bias))
  }
}

/// Layer normalisation over the last axis with learned `γ` (ones) and `β` (zeros).
public struct LayerNorm: Layer {
  /// `γ`.
  public let gamma: Parameter
  /// `β`.
  public let beta: Parameter

  /// A layer of width `width` named `name.gamma`, `name.beta`.
  public init(name: String, width: Int) {
    gamma = Parameter(name: "\(name).gamma", value: Tensor(shape: [width], repeating: 1))
    beta = Parameter(name: "\(name).beta", value: Tensor(shape: [width]))
  }

  /// Applies the normalisation on `tape`.
  public func callAsFunction(_ x: Variable, on tape: Tape) throws -> Variable {
    try tape.layerNorm(x, gamma: tape.parameter(gamma), beta: tape.parameter(beta))
  }
}
