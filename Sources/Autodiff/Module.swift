/// A layer or model whose parameters are found by walking its stored properties, so that no type
/// lists its parameters by hand.
///
/// ## What the traversal visits
///
/// The default ``ParameterContainer/namedParameters`` reflects the value (`Mirror`) and visits its
/// stored properties in declaration order (a class's inherited properties first); for an enum it
/// visits the payload of the current case, under the case name. Each visited value is:
/// - a ``Parameter``: yielded;
/// - a nested ``Module``: its own ``ParameterContainer/namedParameters``, in place (so a module that
///   implements it by hand is honoured wherever it is nested);
/// - an `Array` or `Optional` of parameters or modules (nested to any depth): the elements in index
///   order, `nil` yielding nothing;
/// - a tuple (such as an enum case with several associated values): its elements in order, each
///   visited by these rules.
///
/// Anything else is skipped: configurations, tensors, numbers, existential arrays such as
/// `[any Module]`, dictionaries (whose order is not defined). A property whose type holds
/// parameters must therefore be a module itself for them to be found. A parameter reachable along
/// two paths (one instance stored twice) is yielded twice.
///
/// ## Order guarantee
///
/// The order is a function of the declarations and the current value alone (the same for every
/// instance of one configuration): reordering stored properties reorders ``ParameterContainer/parameters``,
/// and with it the iteration of optimiser state and the summation order of the gradient norm.
/// Declare a layer's parameters in the order they should be visited. To leave a stored property
/// out, implement ``ParameterContainer/namedParameters`` by hand and say why.
public protocol Module: ParameterContainer {}

extension Module {
  /// The parameters found by reflection: see ``Module`` for what is visited and in which order.
  public var namedParameters: [NamedParameter] {
    var found: [NamedParameter] = []
    collectParameters(of: Mirror(reflecting: self), into: &found)
    return found
  }
}

/// Appends the parameters of `mirror`'s children (after those of its superclass part), each
/// under its label (a tuple element's `.0` as `0`).
private func collectParameters(of mirror: Mirror, into found: inout [NamedParameter]) {
  if let superclass = mirror.superclassMirror { collectParameters(of: superclass, into: &found) }
  for (index, child) in mirror.children.enumerated() {
    let label = child.label.map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 } ?? "\(index)"
    if let container = child.value as? any ParameterContainer {
      found += prefixed(container.namedParameters, with: label)
    } else {
      let value = Mirror(reflecting: child.value)
      guard value.displayStyle == .tuple else { continue }
      var elements: [NamedParameter] = []
      collectParameters(of: value, into: &elements)
      found += prefixed(elements, with: label)
    }
  }
}
