import Foundation
import Synchronization
import TaskrunCLI

/// What a command printed and how it exited.
struct CommandOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `taskrun` in-process, with output captured and its own working directory and
/// environment, so tests run in parallel and fast.
enum CLI {
    final class Capture: Sendable {
        let stdout = Mutex("")
        let stderr = Mutex("")
    }

    static func run(
        _ arguments: [String], in directory: String, environment: [String: String] = [:], terminal: Bool = false
    ) async -> CommandOutput {
        let capture = Capture()
        let context = CommandContext(
            writeOutput: { text in capture.stdout.withLock { $0 += text } },
            writeError: { text in capture.stderr.withLock { $0 += text } },
            environment: environment, currentDirectory: directory, outputIsTerminal: terminal,
            errorIsTerminal: terminal)
        let status = await TaskrunMain.run(arguments, context: context)
        return CommandOutput(
            status: status, stdout: capture.stdout.withLock { $0 }, stderr: capture.stderr.withLock { $0 })
    }
}

/// A fresh directory under the system's temporary directory, removed when the test is done.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("taskrun-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `contents` to `relative`, creating folders.
    func write(_ relative: String, _ contents: String) throws {
        let file = URL(fileURLWithPath: "\(path)/\(relative)")
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: "\(path)/\(relative)", withIntermediateDirectories: true)
    }
}
