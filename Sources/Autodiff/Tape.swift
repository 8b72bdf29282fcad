/// A value recorded on a ``Tape``: an index into it (valid only for that tape).
public struct Variable: Sendable, Hashable {
  let index: Int
}

/// Reverse-mode automatic differentiation over coarse operations.
///
/// Every operation appends a node holding its value and a backward closure that maps
/// `∂ℒ/∂output` to `∂ℒ/∂input` for each input; ``backward(_:)`` walks the nodes in
/// reverse order once, accumulating gradients, and adds the gradients of parameter
/// leaves into their ``Parameter/gradient``. A tape records one forward pass; make a
/// new one per step.
public final class Tape {
  struct Node {
    var value: Tensor
    var inputs: [Int]
    /// `(∂ℒ/∂output) → ∂ℒ/∂input_i` for each input, in order.
    var backward: ((Tensor) throws -> [Tensor])?
    var parameter: Parameter?
  }

  private(set) var nodes: [Node] = []
  /// Whether operations keep what their backward pass needs. A tape for inference only
  /// (`false`) drops the backward rules as it goes, so operations such as attention need
  /// not store their intermediate results; ``backward(_:)`` then throws.
  public let recordsGradients: Bool

  /// An empty tape.
  /// - Parameter recordsGradients: `false` for forward passes that will never be differentiated.
  public init(recordsGradients: Bool = true) { self.recordsGradients = recordsGradients }

  /// The value of `variable`.
  public func value(_ variable: Variable) -> Tensor { nodes[variable.index].value }

  /// A constant input (no gradient flows into it).
  public func constant(_ tensor: Tensor) -> Variable { record(Node(value: tensor, inputs: [], backward: nil)) }

  /// A parameter leaf: ``backward(_:)`` adds `∂ℒ/∂parameter` into its gradient.
  public func parameter(_ parameter: Parameter) -> Variable {
    record(Node(value: parameter.value, inputs: [], backward: nil, parameter: parameter))
  }

  /// Records an operation: its result `value`, the variables it read, and its backward rule
  /// `backward`, which maps `∂ℒ/∂value` (of `value`'s shape) to `[∂ℒ/∂inputs[0], ∂ℒ/∂inputs[1], …]`,
  /// one gradient per input with that input's shape. Every operation on the tape is written this way.
  ///
  /// ``backward(_:)`` calls `backward` at most once, with the sum of the gradients flowing into
  /// `value`, and checks what it returns (see ``AutodiffError/invalidBackward(_:)``). A tape made
  /// with `recordsGradients: false` drops `backward` at once.
  ///
  /// A new operation, `y = x³` elementwise with `∂ℒ/∂x = 3x² ⊙ ∂ℒ/∂y`:
  ///
  /// ```swift
  /// extension Tape {
  ///   func cube(_ a: Variable) throws -> Variable {
  ///     let x = value(a)
  ///     return record(value: try Tensor(shape: x.shape, values: x.values.map { $0 * $0 * $0 }), inputs: [a]) { g in
  ///       [try Tensor(shape: x.shape, values: zip(x.values, g.values).map { 3 * $0 * $0 * $1 })]
  ///     }
  ///   }
  /// }
  /// ```
  ///
  /// - Parameters:
  ///   - value: the operation's output.
  ///   - inputs: the variables the output depends on (constants and parameters included).
  ///   - backward: `∂ℒ/∂value ↦ ∂ℒ/∂inputs`; it may throw, and ``backward(_:)`` passes the error on.
  /// - Returns: the variable holding `value`.
  public func record(value: Tensor, inputs: [Variable], backward: @escaping (Tensor) throws -> [Tensor]) -> Variable {
    record(Node(value: value, inputs: inputs.map(\.index), backward: recordsGradients ? backward : nil))
  }

  private func record(_ node: Node) -> Variable {
    nodes.append(node)
    return Variable(index: nodes.count - 1)
  }

  /// Backpropagates from the scalar `loss` (`∂ℒ/∂loss = 1`) and accumulates every
  /// parameter leaf's gradient.
  ///
  /// - Returns: `∂ℒ/∂v` for every recorded variable that influences the loss (by index),
  ///   for inspection and tests.
  /// - Throws: ``AutodiffError/notScalar(shape:)`` for a non-scalar loss,
  ///   ``AutodiffError/invalidBackward(_:)`` when an operation's backward rule returns other than
  ///   one gradient per input with that input's shape, and any error a backward rule throws.
  @discardableResult
  public func backward(_ loss: Variable) throws -> [Variable: Tensor] {
    guard recordsGradients else {
      throw AutodiffError.invalidArgument("this tape was made with recordsGradients: false")
    }
    let lossValue = nodes[loss.index].value
    guard lossValue.count == 1 else { throw AutodiffError.notScalar(shape: lossValue.shape) }
    var gradients = [Tensor?](repeating: nil, count: nodes.count)
    gradients[loss.index] = Tensor(shape: lossValue.shape, repeating: 1)
    for index in stride(from: loss.index, through: 0, by: -1) {
      guard let gradient = gradients[index] else { continue }
      let node = nodes[index]
      if let parameter = node.parameter {
        for i in parameter.gradient.values.indices { parameter.gradient.values[i] += gradient.values[i] }
      }
      guard let backward = node.backward else { continue }
      let inputGradients = try backward(gradient)
      try validateGradients(inputGradients, of: node)
      for (input, inputGradient) in zip(node.inputs, inputGradients) {
        if var existing = gradients[input] {
          for i in existing.values.indices { existing.values[i] += inputGradient.values[i] }
          gradients[input] = existing
        } else {
          gradients[input] = inputGradient
        }
      }
    }
    var result: [Variable: Tensor] = [:]
    for (index, gradient) in gradients.enumerated() { if let gradient { result[Variable(index: index)] = gradient } }
    return result
  }

  /// Throws ``AutodiffError/invalidBackward(_:)`` unless `gradients` holds one tensor per input
  /// of `node`, each of that input's shape.
  private func validateGradients(_ gradients: [Tensor], of node: Node) throws {
    guard gradients.count == node.inputs.count else {
      throw AutodiffError.invalidBackward(
        "the operation with output shape \(node.value.shape) returned \(gradients.count) gradients "
          + "for its \(node.inputs.count) inputs")
    }
    for (position, (input, gradient)) in zip(node.inputs, gradients).enumerated()
    where gradient.shape != nodes[input].value.shape {
      throw AutodiffError.invalidBackward(
        "the operation with output shape \(node.value.shape) returned a gradient of shape \(gradient.shape) "
          + "for its input \(position) (variable \(input)) of shape \(nodes[input].value.shape)")
    }
  }
}
