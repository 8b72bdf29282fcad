import Autodiff
import Parallelism

/// The keys and values one attention layer has seen, for `B` sequences: a transformer
/// decoder's recurrent state. Stored `B × heads × capacity × d` so each head's keys are one
/// contiguous `count × d` block; the capacity doubles when full (each position is copied
/// `O(1)` times on average, no quadratic copying).
public struct KVCache {
  /// Sequences `B`.
  public let batch: Int
  /// Attention heads.
  public let heads: Int
  /// Head width `d`.
  public let headWidth: Int
  /// Positions stored.
  public private(set) var count = 0
  /// Positions that fit before the next growth.
  public private(set) var capacity: Int
  private var keys: [Float]
  private var values: [Float]

  /// An empty cache with room for `capacity` positions.
  public init(batch: Int, heads: Int, headWidth: Int, capacity: Int = 256) {
    self.batch = batch
    self.heads = heads
    self.headWidth = headWidth
    self.capacity = max(1, capacity)
    keys = [Float](repeating: 0, count: batch * heads * self.capacity * headWidth)
    values = keys
  }

  /// Appends `C` positions of keys and values, each `B × C × D` (`D = heads·d`).
  public mutating func append(keys newKeys: Tensor, values newValues: Tensor) throws {
    let width = heads * headWidth
    guard newKeys.shape == newValues.shape, newKeys.rank == 3, newKeys.shape[0] == batch, newKeys.shape[2] == width
    else {
      throw AutodiffError.shapeMismatch("cache of \(batch) × \(width) given keys \(newKeys.shape)")
    }
    let added = newKeys.shape[1]
    if count + added > capacity { grow(to: max(2 * capacity, count + added)) }
    for b in 0..<batch {
      for h in 0..<heads {
        let block = ((b * heads + h) * capacity + count) * headWidth
        for t in 0..<added {
          let source = (b * added + t) * width + h * headWidth
          for c in 0..<headWidth {
            keys[block + t * headWidth + c] = newKeys.values[source + c]
            values[block + t * headWidth + c] = newValues.values[source + c]
          }
        }
      }
    }
    count += added
  }

  /// Forgets the positions from `newCount` on, keeping the storage (rewinding a decode).
  public mutating func truncate(to newCount: Int) throws {
    guard (0...count).contains(newCount) else {
      throw AutodiffError.invalidArgument("cannot truncate a cache of \(count) positions to \(newCount)")
    }
    count = newCount
  }

  /// Every stored position as `B × count × D` keys and values (for attending a chunk of queries).
  public func contents() throws -> (keys: Tensor, values: Tensor) {
    let width = heads * headWidth
    var (k, v) = (
      [Float](repeating: 0, count: batch * count * width), [Float](repeating: 0, count: batch * count * width)
    )
    for b in 0..<batch {
      for h in 0..<heads {
        let block = (b * heads + h) * capacity * headWidth
        for t in 0..<count {
          for c in 0..<headWidth {
            k[(b * count + t) * width + h * headWidth + c] = keys[block + t * headWidth + c]
            v[(b * count + t) * width + h * headWidth + c] = values[block + t * headWidth + c]
          }
        }
      }
    }
    return (try Tensor(shape: [batch, count, width], values: k), try Tensor(shape: [batch, count, width], values: v))
  }

  /// One query per sequence (`B × D`) attending to every stored position, read in place:
  /// per head, `o = Σ_j softmax_j(⟨q, k_j⟩/√d) v_j` (`B × D`).
  public func attend(_ query: [Float]) -> [Float] {
    var output = [Float](repeating: 0, count: query.count)
    let (count, capacity, headWidth, heads) = (count, capacity, headWidth, heads)
    query.withUnsafeBufferPointer { q in
      keys.withUnsafeBufferPointer { k in
        values.withUnsafeBufferPointer { v in
          output.withUnsafeMutableBufferPointer { o in
            let shared = (
              q: SharedPointer(UnsafeMutablePointer(mutating: q.baseAddress!)),
              k: SharedPointer(UnsafeMutablePointer(mutating: k.baseAddress!)),
              v: SharedPointer(UnsafeMutablePointer(mutating: v.baseAddress!)), o: SharedPointer(o.baseAddress!)
            )
            forEachChunk(of: batch * heads, minimumChunk: max(1, 32_768 / max(1, count * headWidth))) { pairs in
              withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { scores in
                for pair in pairs {
                  let block = pair * capacity * headWidth
                  AttentionStep.attend(
                    query: shared.q.base + pair * headWidth, keys: shared.k.base + block,
                    values: shared.v.base + block, count: count, width: headWidth, scores: scores.baseAddress!,
                    output: shared.o.base + pair * headWidth)
                }
              }
            }
          }
        }
      }
    }
    return output
  }

  private mutating func grow(to newCapacity: Int) {
    var (k, v) = (
      [Float](repeating: 0, count: batch * heads * newCapacity * headWidth),
      [Float](repeating: 0, count: batch * heads * newCapacity * headWidth)
    )
    for pair in 0..<(batch * heads) {
      let (old, new) = (pair * capacity * headWidth, pair * newCapacity * headWidth)
      k[new..<(new + count * headWidth)] = keys[old..<(old + count * headWidth)]
      v[new..<(new + count * headWidth)] = values[old..<(old + count * headWidth)]
    }
    (keys, values, capacity) = (k, v, newCapacity)
  }
}
