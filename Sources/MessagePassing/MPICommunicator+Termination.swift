import Dispatch
import Foundation

extension MPICommunicator {
  /// Makes this process say why it stops when its launcher terminates it, then exit at once.
  ///
  /// When one process of a job dies or calls `MPI_Abort`, the launcher (Open MPI's `mpirun` and
  /// its daemons) sends `SIGTERM` to every other process, and `SIGKILL` a moment later: without a
  /// handler the others vanish without a word, blocked in a collective call that will never
  /// complete. With it, each writes `ssm: error: rank r: stopped by SIGTERM (…) <note>` to standard
  /// error and exits with status 143 (`128 + SIGTERM`), within the launcher's grace period.
  /// Call it once, after ``joinIfLaunched(environment:)``.
  /// - Parameter note: what the user should know, such as which checkpoint stays valid.
  public func reportTermination(_ note: String) {
    signal(SIGTERM, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
    let message =
      "ssm: error: rank \(rank): stopped by SIGTERM (another rank failed or the job was stopped); \(note)\n"
    source.setEventHandler {
      FileHandle.standardError.write(Data(message.utf8))
      _exit(128 + SIGTERM)
    }
    source.resume()
    terminationSource = source
  }
}
