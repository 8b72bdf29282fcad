/// A ``Module`` that maps one input to one output on a ``Tape``, `y = f_θ(x)` with `θ` its
/// ``ParameterContainer/parameters``: a linear map, a normalisation, a sequence-mixing
/// convolution. Each conforming type states the shapes it reads and writes.
///
/// Layers whose forward needs more (a dropout generator, a recurrent state, an initial hidden
/// state) keep their own `callAsFunction` and are modules only.
public protocol Layer: Module {
  /// The output `f_θ(x)`, recorded on `tape` so gradients reach `x` and the parameters.
  func callAsFunction(_ x: Variable, on tape: Tape) throws -> Variable
}
