/// For every flat (row-major) index of a tensor of `shape`, the flat index `Σ_axis
/// coordinate[axis]·strides[axis]` of the element it reads from another tensor: the
/// gather map behind broadcasting (stride 0 on stretched axes) and axis permutations
/// (the source's strides in permuted order).
func gatherMap(shape: [Int], strides: [Int]) -> [Int] {
  let count = shape.reduce(1, *)
  var result = [Int](repeating: 0, count: count)
  var coordinate = [Int](repeating: 0, count: shape.count)
  var source = 0
  for flat in 0..<count {
    result[flat] = source
    // Advance the odometer, keeping `source` in step.
    var axis = shape.count - 1
    while axis >= 0 {
      coordinate[axis] += 1
      source += strides[axis]
      if coordinate[axis] < shape[axis] { break }
      source -= coordinate[axis] * strides[axis]
      coordinate[axis] = 0
      axis -= 1
    }
  }
  return result
}
