import SeededRandom

/// `batch` rows of `length` tokens in `0 ..< vocabulary`, each `next() % vocabulary` of `SeededGenerator(seed: seed)`:
/// uniform up to a modulo bias of ≈ vocabulary / 2⁶⁴.
public func randomTokens(batch: Int, length: Int, vocabulary: Int, seed: UInt64) -> [[Int]] {
  var generator = SeededGenerator(seed: seed)
  return (0..<batch).map { _ in (0..<length).map { _ in Int(generator.next() % UInt64(vocabulary)) } }
}
