import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A named pipe a child process writes lines to, read on a background thread, so tests can await
/// "the child is ready" or "the child got SIGTERM" as events.
final class FIFOLines: Sendable {
    let path: String
    let lines: AsyncStream<String>

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "taskrun-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("events").path
        guard mkfifo(path, 0o600) == 0 else { throw POSIXError(.EIO) }
        self.path = path
        let (lines, continuation) = AsyncStream<String>.makeStream()
        self.lines = lines
        Thread.detachNewThread {
            // Opening a FIFO for reading blocks until the child opens it for writing.
            guard let handle = FileHandle(forReadingAtPath: path) else {
                continuation.finish()
                return
            }
            var pending = ""
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                pending += String(decoding: data, as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    continuation.yield(String(pending[..<newline]))
                    pending = String(pending[pending.index(after: newline)...])
                }
            }
            continuation.finish()
        }
    }
}
