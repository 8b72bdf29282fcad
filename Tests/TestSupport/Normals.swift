import SeededRandom

/// `count` independent standard normal draws `N(0, 1)` from `SeededGenerator(seed: seed)`, in float64: the same
/// values on every run and platform.
public func normals(_ count: Int, seed: UInt64) -> [Double] {
  var generator = SeededGenerator(seed: seed)
  return (0..<count).map { _ in generator.nextStandardNormal() }
}
