import CMPI
import Training

extension MPICommunicator: GradientReducer {
  /// Replaces `values` on every process with the element-wise sum over the processes, added in
  /// rank order, `((x₀ + x₁) + x₂) + … + x_{K−1}`: process 0 gathers all buffers (`MPI_Gather`),
  /// sums them in that order and broadcasts the result (`MPI_Bcast`).
  ///
  /// `MPI_Allreduce` would move less data, but its reduction tree (and so the float32 rounding of
  /// the sum) depends on the MPI implementation, its tuning, the process count and the message
  /// size; the fixed order makes a run's result a function of its configuration and process
  /// count alone, identical bit for bit on every process and on every rerun. Cost: process 0
  /// receives `(K − 1)·n` floats and sends `n` to each process, against `2(K − 1)/K · n` per
  /// process for a ring all-reduce: fine for the model sizes here on a few machines.
  /// - Throws: ``MessagePassingError/bufferTooLong(_:)`` beyond `Int32.max` values,
  ///   ``MessagePassingError/call(_:code:)`` when MPI fails.
  public func sum(_ values: inout [Float]) throws {
    guard processCount > 1 else { return }
    guard let count = Int32(exactly: values.count) else { throw MessagePassingError.bufferTooLong(values.count) }
    let n = values.count
    var gathered = [Float](repeating: 0, count: rank == 0 ? n * processCount : 0)
    let gatherCode = values.withUnsafeBufferPointer { send in
      gathered.withUnsafeMutableBufferPointer { receive in
        MPI_Gather(
          send.baseAddress, count, ssm_mpi_float(), receive.baseAddress, count, ssm_mpi_float(), 0, world)
      }
    }
    try Self.check(gatherCode, "MPI_Gather")
    if rank == 0 {
      for i in 0..<n {
        var total = gathered[i]
        for process in 1..<processCount { total += gathered[process * n + i] }
        values[i] = total
      }
    }
    let broadcastCode = values.withUnsafeMutableBufferPointer { buffer in
      MPI_Bcast(buffer.baseAddress, count, ssm_mpi_float(), 0, world)
    }
    try Self.check(broadcastCode, "MPI_Bcast")
  }
}
