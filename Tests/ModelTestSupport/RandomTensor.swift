import Autodiff
import SeededRandom

/// A tensor of the given shape whose entries are independent `N(0, scale²)` draws: float64 standard normals from
/// `SeededGenerator(seed: seed)`, rounded to float32, times `scale`; row-major, the same on every run.
public func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
  var generator = SeededGenerator(seed: seed)
  return try! Tensor(
    shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(generator.nextStandardNormal()) * scale })
}
