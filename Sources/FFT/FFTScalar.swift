import Numerics

/// The floating-point precision of an FFTW plan: `fftwf_*` or `fftw_*`.
public enum FFTPrecision: Sendable, Hashable {
  /// 32-bit `float` (`fftwf_*`).
  case single
  /// 64-bit `double` (`fftw_*`).
  case double
}

/// A real scalar FFTW can transform: `Float` or `Double`.
public protocol FFTScalar: BinaryFloatingPoint, Real, SIMDScalar, Sendable, Codable {
  /// Which FFTW library transforms values of this type.
  static var fftPrecision: FFTPrecision { get }
}

extension Float: FFTScalar {
  /// `fftwf_*`.
  public static var fftPrecision: FFTPrecision { .single }
}

extension Double: FFTScalar {
  /// `fftw_*`.
  public static var fftPrecision: FFTPrecision { .double }
}
