import Autodiff
import LayerOperations

/// The keys and values one attention layer has seen, for `B` sequences: a transformer
/// decoder's recurrent state. Each (sequence, head) pair owns a contiguous block of
/// `capacity × d` values for its keys and one for its values: values row by row, keys in
/// tiles of 32 positions (`[j/32][c][j mod 32]`, see `singleQueryAttention`) so a query's
/// scores for a tile are eight-lane multiply–adds without horizontal sums, over keys read
/// front to back. The capacity (a multiple of 32) doubles when full: each position is copied `O(1)` times on
/// average, no quadratic copying.
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

  /// The longest chunk that ``attendCausally(_:chunk:)`` serves: a verification chunk of speculative
  /// decoding reads the cache in place, once per query; a longer chunk (a prompt) attends through
  /// ``contents()`` and matrix products, whose one copy of the cache is then the smaller cost.
  public static let inPlaceChunk = 16

  /// An empty cache with room for `capacity` positions.
  public init(batch: Int, heads: Int, headWidth: Int, capacity: Int = 256) {
    self.batch = batch
    self.heads = heads
    self.headWidth = headWidth
    self.capacity = Self.roundedCapacity(capacity)
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
    newKeys.values.withUnsafeBufferPointer { k in
      newValues.values.withUnsafeBufferPointer { v in
        append(keys: k.baseAddress!, values: v.baseAddress!, positions: newKeys.shape[1])
      }
    }
  }

  /// Appends `C` positions of keys and values read from `newKeys` and `newValues` (each
  /// `B × C × D`, row `b·C + t`), without allocating unless the capacity grows.
  mutating func append(keys newKeys: UnsafePointer<Float>, values newValues: UnsafePointer<Float>, positions added: Int)
  {
    let (width, d) = (heads * headWidth, headWidth)
    if count + added > capacity { grow(to: max(2 * capacity, count + added)) }
    let (first, capacity) = (count, capacity)
    keys.withUnsafeMutableBufferPointer { keys in
      values.withUnsafeMutableBufferPointer { values in
        for b in 0..<batch {
          for h in 0..<heads {
            let block = (b * heads + h) * capacity * d
            for t in 0..<added {
              let (source, position) = ((b * added + t) * width + h * d, first + t)
              let tile = keys.baseAddress! + block + Self.keyOffset(position: position, component: 0, headWidth: d)
              for c in 0..<d { tile[c * Self.tile] = newKeys[source + c] }
              (values.baseAddress! + block + position * d).update(from: newValues + source, count: d)
            }
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
            k[(b * count + t) * width + h * headWidth + c] =
              keys[block + Self.keyOffset(position: t, component: c, headWidth: headWidth)]
            v[(b * count + t) * width + h * headWidth + c] = values[block + t * headWidth + c]
          }
        }
      }
    }
    return (try Tensor(shape: [batch, count, width], values: k), try Tensor(shape: [batch, count, width], values: v))
  }

  /// The queries of the last `C` stored positions (`B × C × D`, row `b·C + i`) attending causally,
  /// read in place: query `i` sees the first `count − C + i + 1` positions, per head
  /// `o_i = Σ_{j ≤ count−C+i} softmax_j(⟨q_i, k_j⟩/√d) v_j` (`B × C × D`).
  public func attendCausally(_ queries: [Float], chunk: Int) -> [Float] {
    precondition(queries.count == batch * chunk * heads * headWidth)
    var output = [Float](repeating: 0, count: queries.count)
    queries.withUnsafeBufferPointer { queries in
      output.withUnsafeMutableBufferPointer { output in
        attendChunk(queries.baseAddress!, chunk: chunk, visibility: nil, into: output.baseAddress!)
      }
    }
    return output
  }

  /// The queries of the last `C` stored positions (`B × C × D`, row `b·C + i`) attending on
  /// caller-owned memory, every block of the cache read once for all `C` queries
  /// (``chunkAttention``): query `i` sees the first `count − C` positions and the chunk entries `j`
  /// with `visibility[i·C + j]` (`C × C`; causally, `j ≤ i`, when `nil`). `output` is `B × C × D`.
  func attendChunk(
    _ queries: UnsafePointer<Float>, chunk: Int, visibility: UnsafePointer<Bool>?,
    into output: UnsafeMutablePointer<Float>
  ) {
    keys.withUnsafeBufferPointer { keys in
      values.withUnsafeBufferPointer { values in
        chunkAttention(
          queries: queries, keys: keys.baseAddress!, values: values.baseAddress!, batch: batch, heads: heads,
          chunk: chunk, count: count, capacity: capacity, headWidth: headWidth, visibility: visibility, into: output)
      }
    }
  }

  /// Keeps, of the positions from `start` on, only `start + offsets[k]` (`offsets` strictly
  /// increasing), moved to `start + k`, and forgets the rest: after verifying a tree of candidates
  /// appended from `start`, the cache of the accepted path (node `offsets[k]` at depth `k`).
  /// - Throws: `AutodiffError/invalidArgument(_:)` for offsets not strictly increasing or beyond the
  ///   stored positions.
  public mutating func compact(keeping offsets: [Int], from start: Int) throws {
    guard (0...count).contains(start), offsets.allSatisfy({ (0..<(count - start)).contains($0) }),
      zip(offsets, offsets.dropFirst()).allSatisfy({ $0 < $1 })
    else {
      throw AutodiffError.invalidArgument("cannot keep \(offsets) of \(count - start) positions after \(start)")
    }
    let (d, capacity) = (headWidth, capacity)
    keys.withUnsafeMutableBufferPointer { keys in
      values.withUnsafeMutableBufferPointer { values in
        for pair in 0..<(batch * heads) {
          let block = pair * capacity * d
          for (k, offset) in offsets.enumerated() where offset != k {
            let (source, target) = (start + offset, start + k)
            for c in 0..<d {
              keys[block + Self.keyOffset(position: target, component: c, headWidth: d)] =
                keys[block + Self.keyOffset(position: source, component: c, headWidth: d)]
              values[block + target * d + c] = values[block + source * d + c]
            }
          }
        }
      }
    }
    count = start + offsets.count
  }

  /// One query per sequence (`query`: `B × D`) attending to every stored position, read in place:
  /// per head, `o = Σ_j softmax_j(⟨q, k_j⟩/√d) v_j` into `output` (`B × D`), every (sequence, head)
  /// pair in one call of the single-query kernel; allocates nothing on the heap.
  func attend(_ query: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
    keys.withUnsafeBufferPointer { keys in
      values.withUnsafeBufferPointer { values in
        singleQueryAttention(
          query: query, keys: keys.baseAddress!, values: values.baseAddress!, pairs: batch * heads, count: count,
          capacity: capacity, headWidth: headWidth, into: output)
      }
    }
  }

  /// Positions per key tile.
  private static let tile = 32

  /// Where component `c` of the key at `position` lies in its pair's block.
  private static func keyOffset(position: Int, component: Int, headWidth: Int) -> Int {
    (position / tile * headWidth + component) * tile + position % tile
  }

  /// At least one tile and a whole number of tiles.
  private static func roundedCapacity(_ capacity: Int) -> Int {
    max(tile, (capacity + tile - 1) / tile * tile)
  }

  private mutating func grow(to requested: Int) {
    let newCapacity = Self.roundedCapacity(requested)
    var (k, v) = (
      [Float](repeating: 0, count: batch * heads * newCapacity * headWidth),
      [Float](repeating: 0, count: batch * heads * newCapacity * headWidth)
    )
    for pair in 0..<(batch * heads) {
      let (old, new) = (pair * capacity * headWidth, pair * newCapacity * headWidth)
      // Whole key tiles: the first ⌈count/32⌉ of them are a prefix of the block.
      let tiled = (count + Self.tile - 1) / Self.tile * Self.tile * headWidth
      k[new..<(new + tiled)] = keys[old..<(old + tiled)]
      v[new..<(new + count * headWidth)] = values[old..<(old + count * headWidth)]
    }
    (keys, values, capacity) = (k, v, newCapacity)
  }
}
