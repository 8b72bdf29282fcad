/// A value that holds trainable parameters: a ``Parameter`` (itself), a ``Module`` (what its
/// traversal finds), or an `Array` or `Optional` of such values, nested to any depth.
///
/// ``namedParameters`` is the one source of a value's parameters; ``parameters`` and
/// ``parameterCount`` follow from it, so the three always agree.
public protocol ParameterContainer {
  /// Every parameter held, each with its traversal path (property labels, array indices and enum
  /// case names joined by `.`, e.g. `blocks.0.s4.diagonal.logDt`), in a fixed order.
  ///
  /// The path says where the parameter sits in the Swift value, for diagnostics; the checkpoint key
  /// is the parameter's own ``Parameter/name``.
  var namedParameters: [NamedParameter] { get }
}

extension ParameterContainer {
  /// Every parameter held, in the order of ``namedParameters``: the order optimiser state,
  /// gradient clipping and checkpoints visit them in.
  public var parameters: [Parameter] { namedParameters.map { $0.parameter } }

  /// The number of trainable scalars, `Σ_p |p|` over ``parameters`` (`|p|` the element count of
  /// `p`'s value).
  public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.parameter.value.count } }
}

extension Parameter: ParameterContainer {
  /// The parameter itself, with the empty path.
  public var namedParameters: [NamedParameter] { [NamedParameter(path: "", parameter: self)] }
}

extension Array: ParameterContainer where Element: ParameterContainer {
  /// The elements' parameters in index order, under the paths `0`, `1`, ….
  public var namedParameters: [NamedParameter] {
    enumerated().flatMap { index, element in prefixed(element.namedParameters, with: "\(index)") }
  }
}

extension Optional: ParameterContainer where Wrapped: ParameterContainer {
  /// The wrapped value's parameters, or none for `nil`.
  public var namedParameters: [NamedParameter] { self?.namedParameters ?? [] }
}

/// `named` with `prefix` put in front of every path (`prefix.path`, or `prefix` for an empty path).
func prefixed(_ named: [NamedParameter], with prefix: String)
  -> [NamedParameter]
{
  named.map { NamedParameter(path: $0.path.isEmpty ? prefix : "\(prefix).\($0.path)", parameter: $0.parameter) }
}
