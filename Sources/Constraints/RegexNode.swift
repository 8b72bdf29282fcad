/// The syntax tree of a parsed regular expression over Unicode scalars.
indirect enum RegexNode: Equatable, Sendable {
  /// The empty string ε.
  case empty
  /// One character from a set (a literal is a one-element set).
  case scalars(ScalarSet)
  /// The nodes one after another.
  case concatenation([RegexNode])
  /// Any one of the nodes.
  case alternation([RegexNode])
  /// `minimum ... maximum` repetitions of the node (`maximum == nil`: unbounded).
  case repetition(RegexNode, minimum: Int, maximum: Int?)
}
