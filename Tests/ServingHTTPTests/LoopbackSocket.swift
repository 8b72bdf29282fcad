import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A raw TCP connection to 127.0.0.1, for a client that goes away mid-response.
final class LoopbackSocket {
  private let descriptor: Int32

  /// Connects to 127.0.0.1:`port`.
  init(port: Int) throws {
    #if canImport(Glibc)
      descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    try #require(connected == 0, "connect to 127.0.0.1:\(port) failed")
  }

  /// Sends `text` whole.
  func send(_ text: String) {
    let bytes = Array(text.utf8)
    var sent = 0
    while sent < bytes.count {
      let written = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
      if written <= 0 { return }
      sent += written
    }
  }

  /// Reads at most `count` bytes (blocking until some arrive).
  func receive(upTo count: Int) -> String {
    var buffer = [UInt8](repeating: 0, count: count)
    let received = read(descriptor, &buffer, count)
    return String(decoding: buffer.prefix(max(received, 0)), as: UTF8.self)
  }

  /// Closes the connection.
  func close() {
    #if canImport(Glibc)
      _ = Glibc.close(descriptor)
    #else
      _ = Darwin.close(descriptor)
    #endif
  }
}
