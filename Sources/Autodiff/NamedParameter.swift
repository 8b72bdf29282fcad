/// A parameter with the path that reached it in a module traversal: property labels, array
/// indices and enum case names joined by dots, e.g. `"blocks.1.s4.dplr.tildeC"` (diagnostics;
/// checkpoints key parameters by ``Parameter/name``).
public struct NamedParameter {
  /// The traversal path; empty for a bare ``Parameter``.
  public let path: String
  /// The parameter.
  public let parameter: Parameter

  /// `parameter` reached by `path`.
  public init(path: String, parameter: Parameter) {
    self.path = path
    self.parameter = parameter
  }
}
