import Parallelism

/// Splits the row loops of the elementwise and row-wise tape operations (activations, GLU, layer
/// norm, transposes) over the cores. Each row's arithmetic is the same whichever thread does it,
/// so results do not depend on the number of cores; operations that sum over rows (the layer
/// norm's `∂ℒ/∂γ`) sum fixed blocks of ``reductionBlock`` rows and then the blocks in order, for
/// the same reason.
enum ParallelRows {
  /// Values below which one thread does the whole job: handing work to another thread costs
  /// ~10 µs, the time of ~30 000 simple float operations.
  static let grain = 32_768
  /// Rows per partial sum of a reduction over rows.
  static let reductionBlock = 64

  /// Calls `body` on disjoint ranges covering `0..<rows`, in parallel when the `rows × width`
  /// values are worth it.
  @inline(__always)
  static func forEach(rows: Int, width: Int, _ body: @Sendable (Range<Int>) -> Void) {
    forEachChunk(of: rows, minimumChunk: Swift.max(1, grain / Swift.max(1, width)), body)
  }

  /// Calls `body` on disjoint ranges covering `0..<count` whose bounds are multiples of 8 (but
  /// the last), in parallel when `count` is worth it: for loops over eight lanes at a time.
  @inline(__always)
  static func forEachLaneRange(count: Int, _ body: @Sendable (Range<Int>) -> Void) {
    forEach(rows: (count + 7) / 8, width: 8) { blocks in
      body((blocks.lowerBound * 8)..<Swift.min(blocks.upperBound * 8, count))
    }
  }

  /// `output[i] = body(input[i])` for `count` values, eight lanes at a time, over the cores.
  @inline(__always)
  static func map(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int,
    _ body: @Sendable (SIMD8<Float>) -> SIMD8<Float>
  ) {
    let (source, target) = (SharedPointer(UnsafeMutablePointer(mutating: input)), SharedPointer(output))
    forEachLaneRange(count: count) { range in
      VectorMath.map(
        source.base + range.lowerBound, target.base + range.lowerBound, count: range.count, body)
    }
  }

  /// `output[i] = body(first[i], second[i])` for `count` values, eight lanes at a time, over the cores.
  @inline(__always)
  static func map(
    _ first: UnsafePointer<Float>, _ second: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
    count: Int, _ body: @Sendable (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>
  ) {
    let (a, b, target) = (
      SharedPointer(UnsafeMutablePointer(mutating: first)), SharedPointer(UnsafeMutablePointer(mutating: second)),
      SharedPointer(output)
    )
    forEachLaneRange(count: count) { range in
      var index = range.lowerBound
      while index < range.upperBound {
        let lanes = Swift.min(8, range.upperBound - index)
        VectorMath.store(
          body(VectorMath.load(a.base + index, lanes: lanes), VectorMath.load(b.base + index, lanes: lanes)),
          to: target.base + index, lanes: lanes)
        index += 8
      }
    }
  }

  /// `body(a[i], b[i])` for arrays of equal count, eight lanes at a time, over the cores.
  @inline(__always)
  static func combine(_ a: [Float], _ b: [Float], _ body: @Sendable (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>)
    -> [Float]
  {
    precondition(a.count == b.count, "internal: combining \(a.count) with \(b.count) values")
    guard !a.isEmpty else { return [] }
    return [Float](unsafeUninitializedCapacity: a.count) { output, count in
      a.withUnsafeBufferPointer { first in
        b.withUnsafeBufferPointer { second in
          map(first.baseAddress!, second.baseAddress!, output.baseAddress!, count: a.count, body)
        }
      }
      count = a.count
    }
  }
}
