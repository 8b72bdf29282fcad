import Autodiff
import ModelTestSupport
import Testing

/// Operations written from outside the module through `Tape.record(value:inputs:backward:)`:
/// a correct one, and deliberately wrong backward rules that `backward(_:)` must refuse.
@Suite("Recording new operations")
struct RecordTests {
  /// `y = x³` elementwise, `∂ℒ/∂x = 3x² ⊙ ∂ℒ/∂y` (the example of the documentation).
  static func cube(_ tape: Tape, _ a: Variable) throws -> Variable {
    let x = tape.value(a)
    return tape.record(value: try Tensor(shape: x.shape, values: x.values.map { $0 * $0 * $0 }), inputs: [a]) { g in
      [try Tensor(shape: x.shape, values: zip(x.values, g.values).map { 3 * $0 * $0 * $1 })]
    }
  }

  /// `Σ op(a, b)` for an operation of two `2 × 3` inputs whose value is `a` and whose backward
  /// rule is `backward`; returns the tape and the loss.
  static func loss(backward: @escaping (Tensor) throws -> [Tensor]) -> (Tape, Variable) {
    let tape = Tape()
    let (a, b) = (tape.constant(randomTensor([2, 3], seed: 1)), tape.constant(randomTensor([2, 3], seed: 2)))
    let output = tape.record(value: tape.value(a), inputs: [a, b], backward: backward)
    return (tape, tape.sum(output))
  }

  /// The detail of the `invalidBackward` error that `backward(_:)` throws for `loss`.
  static func invalidBackwardDetail(_ tape: Tape, _ loss: Variable) -> String? {
    let error = #expect(throws: AutodiffError.self) { try tape.backward(loss) }
    guard case .invalidBackward(let detail) = error else {
      Issue.record("expected invalidBackward, got \(String(describing: error))")
      return nil
    }
    return detail
  }

  // The values are x³ exactly (three float32 products of the same factors), and the backward
  // rule passes the central-difference check (tolerance in `checkGradients`).
  @Test func correctOperation() throws {
    let x = randomTensor([3, 4], seed: 3)
    let tape = Tape()
    #expect(tape.value(try Self.cube(tape, tape.constant(x))).values == x.values.map { $0 * $0 * $0 })
    try checkGradients([x]) { tape, inputs in try Self.cube(tape, inputs[0]) }
  }

  @Test func tooFewGradients() {
    let (tape, loss) = Self.loss { g in [g] }
    let detail = Self.invalidBackwardDetail(tape, loss)
    #expect(detail?.contains("output shape [2, 3] returned 1 gradients for its 2 inputs") == true, "\(detail ?? "")")
  }

  @Test func tooManyGradients() {
    let (tape, loss) = Self.loss { g in [g, g, g] }
    let detail = Self.invalidBackwardDetail(tape, loss)
    #expect(detail?.contains("returned 3 gradients for its 2 inputs") == true, "\(detail ?? "")")
  }

  @Test func wrongShape() {
    let (tape, loss) = Self.loss { g in [g, try Tensor(shape: [3, 2], values: g.values)] }
    let detail = Self.invalidBackwardDetail(tape, loss)
    #expect(
      detail?.contains("output shape [2, 3] returned a gradient of shape [3, 2] for its input 1") == true,
      "\(detail ?? "")")
  }

  @Test func backwardErrorsPropagate() {
    let (tape, loss) = Self.loss { _ in throw AutodiffError.nonFinite("the deliberately failing rule") }
    #expect(throws: AutodiffError.nonFinite("the deliberately failing rule")) { try tape.backward(loss) }
  }
}
