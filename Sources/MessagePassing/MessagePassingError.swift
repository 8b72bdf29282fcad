/// Failures of the processes of an MPI run to start or to agree.
public enum MessagePassingError: Error, Equatable, CustomStringConvertible {
  /// An MPI call returned an error code.
  case call(String, code: Int32)
  /// The processes `ranks` hold another run configuration than process 0.
  case configurationMismatch(ranks: [Int])
  /// A buffer too long for one MPI message (counts are 32-bit).
  case bufferTooLong(Int)

  public var description: String {
    switch self {
    case .call(let name, let code): return "\(name) failed with MPI error code \(code)"
    case .configurationMismatch(let ranks):
      return "the run configuration (options, --out, --resume) of rank"
        + "\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) differs from rank 0's; "
        + "start every rank with the same options"
    case .bufferTooLong(let count): return "\(count) values exceed one MPI message (at most \(Int32.max))"
    }
  }
}
