/// The float32 fast path's inner loops, on concrete `SIMD8<Float>` values.
///
/// Generic code over `Scalar: BinaryFloatingPoint` cannot reach the standard
/// library's vector instructions for `SIMD8<Float>` (generic SIMD arithmetic binds
/// to lane-by-lane loops), so the float32 loops are written here for `Float`
/// itself; the float64 reference path keeps the plain generic loops. Built with
/// `-Xswiftc -target-cpu -Xswiftc haswell` (see the Makefile's `bench`), each
/// `SIMD8<Float>` is one AVX register: ~4× faster than the SSE default.
enum Float32Kernels {
  @inline(__always)
  static func load(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> { load(UnsafePointer(pointer)) }

  @inline(__always)
  static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
  }

  /// Interleaves `K` mode-major coefficient arrays (`[n·H + h]`) into the group-major
  /// layout of ``diagonalStep(packed:firstGroup:groups:channels:modes:re:im:inputs:outputs:)``:
  /// `[(g·M + n)·8K + k·8 + lane]` for channel `8g + lane` and array `k`.
  static func packedCoefficients(_ arrays: [[Float]], channels: Int, modes: Int) -> [Float] {
    let (groups, width) = (channels / 8, 8 * arrays.count)
    var packed = [Float](repeating: 0, count: groups * modes * width)
    for group in 0..<groups {
      for n in 0..<modes {
        for (k, array) in arrays.enumerated() {
          for lane in 0..<8 {
            packed[(group * modes + n) * width + k * 8 + lane] = array[n * channels + 8 * group + lane]
          }
        }
      }
    }
    return packed
  }

  /// One recurrent step of the channel groups `firstGroup ..< firstGroup + groups` (eight
  /// channels each) on the scaled state `z = x/B̄` (mode-major `[n·H + h]`):
  /// `z ← Ā z + u` and `outputs[j] = Re Σ_n (2CB̄) z` for channel `8·firstGroup + j` — six
  /// loads per eight modes instead of eight. Coefficients come from
  /// ``packedCoefficients(_:channels:modes:)`` with `[Re Ā, Im Ā, Re 2CB̄, Im 2CB̄]`.
  static func diagonalStep(
    packed: UnsafePointer<Float>, firstGroup: Int, groups: Int, channels: Int, modes: Int,
    re: UnsafeMutablePointer<Float>, im: UnsafeMutablePointer<Float>, inputs: UnsafePointer<Float>,
    outputs: UnsafeMutablePointer<Float>
  ) {
    for group in 0..<groups {
      let u = load(inputs + 8 &* group)
      var coefficients = packed + (firstGroup &+ group) &* modes &* 32
      var index = 8 &* (firstGroup &+ group)
      var (sumReal, sumImaginary) = (SIMD8<Float>(), SIMD8<Float>())
      for _ in 0..<modes {
        let (zr, zi) = (load(re + index), load(im + index))
        let (ar, ai) = (load(coefficients), load(coefficients + 8))
        let nextReal = ar * zr - ai * zi + u
        let nextImaginary = ar * zi + ai * zr
        store(nextReal, re + index)
        store(nextImaginary, im + index)
        sumReal += load(coefficients + 16) * nextReal
        sumImaginary += load(coefficients + 24) * nextImaginary
        coefficients += 32
        index = index &+ channels
      }
      store(sumReal - sumImaginary, outputs + 8 &* group)
    }
  }

  /// `max_j |values[j]|` over `count` finite values, eight lanes at a time.
  static func largestMagnitude(_ values: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD8<Float>()
    var j = 0
    while j + 8 <= count {
      // Masked replacements compile to vector compares and blends (`pointwiseMax` does not inline).
      let value = load(values + j)
      let magnitude = value.replacing(with: -value, where: value .< 0)
      lanes.replace(with: magnitude, where: magnitude .> lanes)
      j += 8
    }
    var largest = lanes.max()
    while j < count {
      largest = max(largest, abs(values[j]))
      j += 1
    }
    return largest
  }

  /// `out[m·β + j] = Σ_t w[m, t] · T[t, j]` for `m < blocks`, `j < β` (`β` a
  /// multiple of 8): the Vandermonde product, with four independent accumulators
  /// per 32 columns to hide the add latency.
  static func blockProduct(
    weights: UnsafePointer<Float>, table: UnsafePointer<Float>, terms: Int, blocks: Int, block: Int,
    into out: UnsafeMutablePointer<Float>
  ) {
    for m in 0..<blocks {
      let w = weights + m * terms
      let target = out + m * block
      var column = 0
      while column + 32 <= block {
        var (s0, s1, s2, s3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
        for t in 0..<terms {
          let weight = SIMD8<Float>(repeating: w[t])
          let row = table + t * block + column
          s0 += weight * load(row)
          s1 += weight * load(row + 8)
          s2 += weight * load(row + 16)
          s3 += weight * load(row + 24)
        }
        store(s0, target + column)
        store(s1, target + column + 8)
        store(s2, target + column + 16)
        store(s3, target + column + 24)
        column += 32
      }
      while column < block {
        var sum = SIMD8<Float>()
        for t in 0..<terms { sum += SIMD8<Float>(repeating: w[t]) * load(table + t * block + column) }
        store(sum, target + column)
        column += 8
      }
    }
  }
}
