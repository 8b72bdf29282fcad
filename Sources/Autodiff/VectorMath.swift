/// Elementwise `exp` and `erf` on eight float32 lanes at a time (concrete `SIMD8<Float>`:
/// libm's scalar `expf` dominated softmax and GELU, and float loops calling it do not vectorise).
///
/// The type is public (its members are package) because other modules inline the `@inlinable`
/// static members of a public type only: those of a package type stay calls.
public enum VectorMath {
  /// `e^x` by range reduction `x = n ln 2 + r` (`|r| ≤ ½ ln 2`, `ln 2` split in two parts) and
  /// Cephes' degree-6 polynomial for `e^r`, scaled by `2^n` through the exponent bits; relative
  /// error ≤ 2 ulp for `x ∈ [−87, 88]` (inputs are clamped there: results saturate near
  /// `1.6e-38` and `1.6e38`).
  @inlinable @inline(__always)
  package static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let low = SIMD8<Float>(repeating: -87.3)
    let high = SIMD8<Float>(repeating: 88.3)
    var clamped = x.replacing(with: low, where: x .< low)
    clamped = clamped.replacing(with: high, where: clamped .> high)
    // Rounding by the magic number 1.5·2²³: t holds round(x log₂e) in its low mantissa bits.
    let magic = SIMD8<Float>(repeating: 12_582_912)
    let t = clamped * 1.442_695_04 + magic
    let n = t - magic
    let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let y = p * r * r + r + 1
    let exponent = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
    return y * unsafeBitCast((exponent &+ 127) &<< 23, to: SIMD8<Float>.self)
  }

  /// `erf(x)` by Abramowitz & Stegun 7.1.26 (`1 − (a₁t + … + a₅t⁵) e^{−x²}`, `t = 1/(1 + p|x|)`),
  /// odd in `x`; absolute error ≤ 1.5e-7.
  @inline(__always)
  static func erf(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let a = x.replacing(with: -x, where: x .< 0)
    let t = 1 / (1 + 0.327_591_1 * a)
    var p = SIMD8<Float>(repeating: 1.061_405_429)
    p = p * t - 1.453_152_027
    p = p * t + 1.421_413_741
    p = p * t - 0.284_496_736
    p = p * t + 0.254_829_592
    let magnitude = 1 - p * t * exp(-a * a)
    return magnitude.replacing(with: -magnitude, where: x .< 0)
  }

  /// `Σ x_i` over `count` values, in eight lanes.
  @inline(__always)
  static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD8<Float>()
    var index = 0
    while index + 8 <= count {
      lanes += UnsafeRawPointer(x + index).loadUnaligned(as: SIMD8<Float>.self)
      index += 8
    }
    var total = lanes.sum()
    while index < count {
      total += x[index]
      index += 1
    }
    return total
  }

  /// `Σ (x_i − shift)²` over `count` values, in eight lanes.
  @inline(__always)
  static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
    var lanes = SIMD8<Float>()
    let center = SIMD8<Float>(repeating: shift)
    var index = 0
    while index + 8 <= count {
      let deviation = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD8<Float>.self) - center
      lanes += deviation * deviation
      index += 8
    }
    var total = lanes.sum()
    while index < count {
      total += (x[index] - shift) * (x[index] - shift)
      index += 1
    }
    return total
  }

  /// `max x_i` over `count ≥ 1` values, in eight lanes.
  @inlinable @inline(__always)
  package static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD8<Float>(repeating: -.infinity)
    var index = 0
    while index + 8 <= count {
      let v = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD8<Float>.self)
      lanes = lanes.replacing(with: v, where: v .> lanes)
      index += 8
    }
    var top = lanes[0]
    for lane in 1..<8 { top = Swift.max(top, lanes[lane]) }
    while index < count {
      top = Swift.max(top, x[index])
      index += 1
    }
    return top
  }

  /// Applies `body` to `count` values eight at a time; the tail is padded with `padding` and
  /// only its first lanes are stored. Whole chunks and the tail are separate loops: with one
  /// loop for both, the partial loads merge into `body` and its masked selects turn lane by lane.
  @inlinable @inline(__always)
  package static func map(
    _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int, padding: Float = 0,
    _ body: (SIMD8<Float>) -> SIMD8<Float>
  ) {
    var index = 0
    while index + 8 <= count {
      store(body(load(input + index, lanes: 8)), to: output + index, lanes: 8)
      index += 8
    }
    if index < count {
      let lanes = count - index
      store(body(load(input + index, lanes: lanes, padding: padding)), to: output + index, lanes: lanes)
    }
  }

  /// The first `lanes` (1…8) values at `pointer`, the other lanes `padding`.
  @inlinable @inline(__always)
  package static func load(_ pointer: UnsafePointer<Float>, lanes: Int, padding: Float = 0) -> SIMD8<Float> {
    if lanes == 8 { return UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self) }
    var vector = SIMD8<Float>(repeating: padding)
    for lane in 0..<lanes { vector[lane] = pointer[lane] }
    return vector
  }

  /// Stores the first `lanes` (1…8) values of `vector` at `pointer`.
  @inlinable @inline(__always)
  package static func store(_ vector: SIMD8<Float>, to pointer: UnsafeMutablePointer<Float>, lanes: Int) {
    if lanes == 8 {
      UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD8<Float>.self)
    } else {
      for lane in 0..<lanes { pointer[lane] = vector[lane] }
    }
  }

  /// `σ(v) = 1/(1 + e^{−v})`, saturating to 0 and 1 (through the clamped ``exp(_:)``).
  @inline(__always)
  static func sigmoid(_ v: SIMD8<Float>) -> SIMD8<Float> { 1 / (1 + exp(-v)) }
}
