/// Why a Medusa tree or acceptance rule refused its input.
public enum MedusaError: Error, Equatable, CustomStringConvertible {
  /// A tree path is empty or has a negative top-k index.
  case invalidPath([Int])
  /// A tree path appears twice.
  case duplicatePath([Int])
  /// A tree path's parent (the path without its last index) is not in the tree.
  case missingParent([Int])
  /// A path needs head `depth` (1-based) but only `heads` heads exist.
  case pathTooDeep(path: [Int], heads: Int)
  /// A path asks for top-k index `index` at some depth but only `available` candidates were given.
  case topIndexOutOfRange(index: Int, available: Int)
  /// A token lies outside the distribution's `0 ..< vocabulary`.
  case tokenOutOfRange(token: Int, vocabulary: Int)
  /// A typical-acceptance parameter is out of range.
  case invalidTypicalParameter(name: String, value: Double)

  public var description: String {
    switch self {
    case .invalidPath(let path): "Medusa tree path \(path) must be non-empty with top-k indices ≥ 0"
    case .duplicatePath(let path): "Medusa tree path \(path) appears twice"
    case .missingParent(let path): "Medusa tree path \(path) has no parent \(Array(path.dropLast())) in the tree"
    case .pathTooDeep(let path, let heads): "Medusa tree path \(path) needs \(path.count) heads, the model has \(heads)"
    case .topIndexOutOfRange(let index, let available):
      "Medusa tree asks for top-k index \(index) but only \(available) candidates were given"
    case .tokenOutOfRange(let token, let vocabulary): "token \(token) outside 0..<\(vocabulary)"
    case .invalidTypicalParameter(let name, let value):
      "typical acceptance \(name) must be finite and > 0, got \(value)"
    }
  }
}
