import CMPI
import Dispatch
import Foundation

/// The processes of an MPI job (`MPI_COMM_WORLD`), for data-parallel training: rank, size, the
/// fixed-order sum of ``sum(_:)`` and the configuration check of ``checkSameConfiguration(_:)``.
///
/// A process started by an MPI launcher (`mpirun`, or `srun` with PMIx) joins the job with
/// ``joinIfLaunched(environment:)``; one started directly gets `nil` and runs alone as before,
/// without initialising MPI. Every joined process must call ``finalize()`` before it exits, or
/// ``abort(_:)`` when it cannot continue (the launcher then stops the other processes).
public final class MPICommunicator {
  /// This process's rank, `0 ..< processCount`.
  public let rank: Int
  /// Processes in the job.
  public let processCount: Int
  /// `MPI_COMM_WORLD`.
  let world: MPI_Comm
  /// The `SIGTERM` handler of ``reportTermination(_:)``, kept alive while the process runs.
  var terminationSource: (any DispatchSourceSignal)?

  /// The environment variables an MPI launcher sets in each process it starts: Open MPI's
  /// `mpirun` (`OMPI_COMM_WORLD_SIZE`) and PMIx launchers such as Slurm's `srun --mpi=pmix`
  /// (`PMIX_RANK`).
  public static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK"]

  /// Joins the MPI job when an MPI launcher started this process (one of ``launcherVariables``
  /// is set), calling `MPI_Init`; `nil` otherwise (MPI stays uninitialised: the process runs
  /// alone). Call it once per process.
  /// - Throws: ``MessagePassingError/call(_:code:)`` when MPI cannot start.
  public static func joinIfLaunched(environment: [String: String] = ProcessInfo.processInfo.environment) throws
    -> MPICommunicator?
  {
    guard launcherVariables.contains(where: { environment[$0] != nil }) else { return nil }
    try check(MPI_Init(nil, nil), "MPI_Init")
    return try MPICommunicator(world: ssm_mpi_comm_world())
  }

  private init(world: MPI_Comm) throws {
    self.world = world
    var rank: Int32 = 0
    var size: Int32 = 0
    try Self.check(MPI_Comm_rank(world, &rank), "MPI_Comm_rank")
    try Self.check(MPI_Comm_size(world, &size), "MPI_Comm_size")
    self.rank = Int(rank)
    processCount = Int(size)
  }

  /// Leaves the job (`MPI_Finalize`); every process must reach it.
  public func finalize() {
    MPI_Finalize()
  }

  /// Writes `message` to standard error and stops the whole job (`MPI_Abort`): the way out of an
  /// error only this process saw, which would leave the others waiting in a collective call.
  public func abort(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ssm: error: rank \(rank): \(message)\n".utf8))
    MPI_Abort(world, 1)
    exit(1)
  }

  /// Throws ``MessagePassingError/call(_:code:)`` unless `code` is `MPI_SUCCESS`.
  static func check(_ code: Int32, _ name: String) throws {
    guard code == MPI_SUCCESS else { throw MessagePassingError.call(name, code: code) }
  }
}
