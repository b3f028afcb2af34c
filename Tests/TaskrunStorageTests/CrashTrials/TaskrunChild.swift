import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the children of a crash trial report: an agent's side effect, a line of a child's
/// standard error, a child's end.
enum ChildEvent: Sendable {
    case mark(tag: String, phase: String)
    case stderr(tag: String, line: String)
    case exited(tag: String)
}

/// The built `taskrun` executable: next to the test binary (the package's build products
/// directory), else in `.build/debug` of the package this file belongs to.
enum TaskrunExecutable {
    static let path: String? = {
        var candidates: [URL] = []
        if let first = ProcessInfo.processInfo.arguments.first {
            // Linux: `.build/<triple>/debug/<name>.xctest`; macOS: `…/debug/<name>.xctest/Contents/MacOS/<name>`.
            var directory = URL(fileURLWithPath: first).standardizedFileURL.deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(directory.appendingPathComponent("taskrun"))
                directory = directory.deletingLastPathComponent()
            }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/taskrun"))
        return candidates.map(\.path).first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: path)
        }
    }()
}

/// A FIFO the agents of every child write their marks to (`<tag> <phase>` lines), read by a thread
/// of its own; with the children's standard error and ends, it makes one stream of ``ChildEvent``s.
///
/// The FIFO is opened for reading and writing, so opening it never blocks and reading sees no end
/// between two agents; ``shutDown()`` ends the reader with a line of its own.
final class MarkChannel: Sendable {
    let path: String
    let events: AsyncStream<ChildEvent>
    let sink: AsyncStream<ChildEvent>.Continuation
    private let descriptor: Int32
    private static let closing = "\u{1}close"

    init(path: String) throws {
        guard mkfifo(path, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let descriptor = open(path, O_RDWR)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        self.path = path
        self.descriptor = descriptor
        (events, sink) = AsyncStream.makeStream(of: ChildEvent.self)
        let sink = self.sink
        Thread.detachNewThread {
            defer {
                _ = close(descriptor)
                sink.finish()
            }
            var pending = Data()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    if line == Self.closing { return }
                    let parts = line.split(separator: " ", maxSplits: 1)
                    if parts.count == 2 { sink.yield(.mark(tag: String(parts[0]), phase: String(parts[1]))) }
                }
            }
        }
    }

    /// Removes the FIFO (a late agent then writes a plain file) and ends the reader.
    func shutDown() {
        unlink(path)
        let line = Self.closing + "\n"
        _ = line.withCString { write(descriptor, $0, strlen($0)) }
    }
}

/// The events of one stream, read by one consumer at a time, filtered by child.
struct ChildEvents {
    var iterator: AsyncStream<ChildEvent>.Iterator

    init(_ channel: MarkChannel) { iterator = channel.events.makeAsyncIterator() }

    /// Waits until the child `tag` marked `count` phases; `false` when it ended first.
    mutating func waitForMarks(_ count: Int, of tag: String) async -> Bool {
        guard count > 0 else { return true }
        var seen = 0
        while let event = await iterator.next() {
            switch event {
            case .mark(tag, _):
                seen += 1
                if seen >= count { return true }
            case .exited(tag): return false
            default: continue
            }
        }
        return false
    }

    /// Waits until the child `tag` marked `phase`; `false` when it ended first.
    mutating func waitForMark(_ phase: String, of tag: String) async -> Bool {
        while let event = await iterator.next() {
            switch event {
            case .mark(tag, phase): return true
            case .exited(tag): return false
            default: continue
            }
        }
        return false
    }

    /// Waits until the child `tag` printed `line` on standard error; `false` when it ended first.
    mutating func waitForError(_ line: String, of tag: String) async -> Bool {
        while let event = await iterator.next() {
            switch event {
            case .stderr(tag, line): return true
            case .exited(tag): return false
            default: continue
            }
        }
        return false
    }
}

/// One `taskrun` child: its output collected, its end awaited (both pipes closed and the process
/// reaped, so its store owner is gone when this reports it).
final class TaskrunChild: Sendable {
    struct Outcome: Sendable {
        /// The exit status, or the signal that ended it.
        var status: Int32
        var signaled: Bool
        var stdout: String
        var stderr: String
    }

    private struct State {
        var stdout = Data()
        var stderr = Data()
        var pendingError = Data()
        var openPipes = 2
        var termination: (status: Int32, signaled: Bool)?
        var reported = false
    }

    let tag: String
    let process: Process
    private let outcomes: AsyncStream<Outcome>

    init(
        arguments: [String], directory: String, environment: [String: String], tag: String, channel: MarkChannel
    ) throws {
        self.tag = tag
        process = Process()
        process.executableURL = URL(fileURLWithPath: TaskrunExecutable.path ?? "/nonexistent/taskrun")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let (outcomes, sink) = AsyncStream.makeStream(of: Outcome.self)
        self.outcomes = outcomes
        let state = Mutex(State())
        let events = channel.sink
        @Sendable func update(_ change: (inout State) -> Void) {
            let outcome = state.withLock { state -> Outcome? in
                change(&state)
                guard state.openPipes == 0, let termination = state.termination, !state.reported else { return nil }
                state.reported = true
                return Outcome(
                    status: termination.status, signaled: termination.signaled,
                    stdout: String(decoding: state.stdout, as: UTF8.self),
                    stderr: String(decoding: state.stderr, as: UTF8.self))
            }
            if let outcome {
                events.yield(.exited(tag: tag))
                sink.yield(outcome)
                sink.finish()
            }
        }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        Self.readUntilEndOfFile(output.fileHandleForReading) { chunk in
            update { state in
                if chunk.isEmpty { state.openPipes -= 1 } else { state.stdout.append(chunk) }
            }
        }
        Self.readUntilEndOfFile(error.fileHandleForReading) { chunk in
            var lines: [String] = []
            update { state in
                if chunk.isEmpty {
                    state.openPipes -= 1
                    return
                }
                state.stderr.append(chunk)
                state.pendingError.append(chunk)
                while let newline = state.pendingError.firstIndex(of: 0x0A) {
                    lines.append(
                        String(decoding: state.pendingError[state.pendingError.startIndex..<newline], as: UTF8.self))
                    state.pendingError.removeSubrange(state.pendingError.startIndex...newline)
                }
            }
            for line in lines { events.yield(.stderr(tag: tag, line: line)) }
        }
        process.terminationHandler = { process in
            let signaled = process.terminationReason == .uncaughtSignal
            let status = process.terminationStatus
            update { $0.termination = (status, signaled) }
        }
        try process.run()
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// How it ended, once it did.
    func outcome() async -> Outcome {
        for await outcome in outcomes { return outcome }
        return Outcome(status: -1, signaled: false, stdout: "", stderr: "")
    }

    /// Reads `handle` with blocking reads on a thread of its own, handing each chunk to `body`, and
    /// the final empty chunk at end of file. Not `readabilityHandler`: on Linux it can miss end of
    /// file when several children run at once, which hung or crashed the suite.
    static func readUntilEndOfFile(_ handle: FileHandle, _ body: @escaping @Sendable (Data) -> Void) {
        let reader = Thread {
            while true {
                let chunk = handle.availableData
                body(chunk)
                if chunk.isEmpty { return }
            }
        }
        reader.start()
    }
}
