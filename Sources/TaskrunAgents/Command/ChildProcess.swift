import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run of a child process: stdin written from memory, stdout and stderr collected, and a
/// graceful stop on cancellation (SIGTERM, then SIGKILL after a grace period).
///
/// Everything is event-driven: the exit arrives through Foundation's termination handler and each
/// pipe is read to its end by a thread of its own; together they resume one continuation, nothing polls. The child runs in
/// its own process group (Foundation starts it that way), and signals go to the whole group, so helper
/// processes it started stop with it.
final class ChildProcess: Sendable {
    /// How the child ended and what it wrote.
    struct Outcome: Sendable {
        /// The exit status, when it exited by itself.
        var exitStatus: Int32?
        /// The signal that ended it, when one did.
        var signal: Int32?
        var stdout: Data
        var stderr: Data
        /// The signals taskrun sent, in order (`SIGTERM`, `SIGKILL`).
        var signalsSent: [String]
    }

    /// Why the child could not be started.
    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    private struct State {
        var stdout = Data()
        var stderr = Data()
        var stdoutClosed = false
        var stderrClosed = false
        var exit: (status: Int32, signal: Int32?)?
        var signalsSent: [String] = []
        var stopping = false
        /// Set once the grace periods after SIGKILL ran out: finish without waiting for the pipes
        /// (a process outside the group may still hold them).
        var abandonPipes = false
        var continuation: CheckedContinuation<Outcome, Never>?
        var finished = false
        var graceTimer: Task<Void, Never>?
    }

    private let process: Process
    private let state = Mutex(State())
    private let gracePeriod: Duration
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Ignoring SIGPIPE once for the process: a child that exits without reading its stdin must make
    /// our write fail with EPIPE, not kill taskrun.
    private static let ignoreBrokenPipes: Void = {
        _ = systemSignal(SIGPIPE, SIG_IGN)
    }()

    init(gracePeriod: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.process = Process()
        self.gracePeriod = gracePeriod
        self.sleep = sleep
    }

    /// Runs `argv` with `input` on stdin until it exits and its output is read.
    ///
    /// When the calling task is cancelled, the child gets SIGTERM, then SIGKILL if it is still running
    /// after the grace period; this returns once it is gone, with what it wrote.
    func run(
        argv: [String], input: Data, environment: [String: String]?, workingDirectory: String?
    ) async throws -> Outcome {
        _ = Self.ignoreBrokenPipes
        guard let program = argv.first else { throw LaunchError(description: "the command is empty") }
        process.executableURL = try Self.resolve(program, environment: environment)
        process.arguments = Array(argv.dropFirst())
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        process.terminationHandler = { [weak self] process in
            let signal = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
            self?.exited(status: process.terminationStatus, signal: signal)
        }
        try Task.checkCancellation()
        do {
            try await Self.spawn(process)
        } catch {
            throw LaunchError(description: "cannot start '\(program)': \(error.localizedDescription)")
        }
        drain(stdout.fileHandleForReading, isError: false)
        drain(stderr.fileHandleForReading, isError: true)
        // Process.run() has closed our copies of the child's ends of the pipes itself. Closing them
        // again here would close whatever file descriptor reused those numbers meanwhile.
        // A large query could fill the pipe before the child reads it: write it off the cooperative pool.
        let writer = stdin.fileHandleForWriting
        Thread.detachNewThread {
            try? writer.write(contentsOf: input)
            try? writer.close()
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let outcome = state.withLock { state -> Outcome? in
                    state.continuation = continuation
                    return Self.takeOutcome(&state)
                }
                if let outcome { continuation.resume(returning: outcome) }
            }
        } onCancel: {
            stop()
        }
    }

    /// Sends SIGTERM now and SIGKILL after the grace period, unless the child has exited by then.
    func stop() {
        let pid = process.processIdentifier
        let send = state.withLock { state -> Bool in
            guard !state.stopping, state.exit == nil, pid > 0 else { return false }
            state.stopping = true
            state.signalsSent.append("SIGTERM")
            return true
        }
        guard send else { return }
        Self.send(SIGTERM, to: pid)
        let sleep = sleep
        let grace = gracePeriod
        let timer = Task { [weak self] in
            do { try await sleep(grace) } catch { return }
            self?.kill()
            do { try await sleep(grace) } catch { return }
            self?.abandonPipes()
        }
        let alreadyDone = state.withLock { state -> Bool in
            if state.finished { return true }
            state.graceTimer = timer
            return false
        }
        if alreadyDone { timer.cancel() }
    }

    private func kill() {
        let pid = process.processIdentifier
        let send = state.withLock { state -> Bool in
            guard state.exit == nil else { return false }
            state.signalsSent.append("SIGKILL")
            return true
        }
        if send { Self.send(SIGKILL, to: pid) }
    }

    private func abandonPipes() {
        finish { $0.abandonPipes = true }
    }

    /// Reads `handle` to its end on a thread of its own, then records the output.
    ///
    /// Blocking reads on dedicated threads, because FileHandle's readability handler on Linux can miss
    /// the end-of-file event when data and the end arrive together.
    private func drain(_ handle: FileHandle, isError: Bool) {
        Thread.detachNewThread { [self] in
            let data = (try? handle.readToEnd()) ?? Data()
            finish { state in
                if isError {
                    state.stderr = data
                    state.stderrClosed = true
                } else {
                    state.stdout = data
                    state.stdoutClosed = true
                }
            }
        }
    }

    private func exited(status: Int32, signal: Int32?) {
        finish { $0.exit = (status, signal) }
    }

    /// Applies `change`, then resumes the waiting caller if the run is complete.
    private func finish(_ change: (inout State) -> Void) {
        let (continuation, outcome, timer) = state.withLock {
            state -> (CheckedContinuation<Outcome, Never>?, Outcome?, Task<Void, Never>?) in
            change(&state)
            guard state.continuation != nil, let outcome = Self.takeOutcome(&state) else { return (nil, nil, nil) }
            let continuation = state.continuation
            state.continuation = nil
            return (continuation, outcome, state.graceTimer)
        }
        timer?.cancel()
        if let continuation, let outcome { continuation.resume(returning: outcome) }
    }

    /// The outcome, once the child has exited and its output is read (or abandoned); call under the lock.
    private static func takeOutcome(_ state: inout State) -> Outcome? {
        guard !state.finished, let exit = state.exit,
            (state.stdoutClosed && state.stderrClosed) || state.abandonPipes
        else { return nil }
        state.finished = true
        return Outcome(
            exitStatus: exit.signal == nil ? exit.status : nil, signal: exit.signal, stdout: state.stdout,
            stderr: state.stderr, signalsSent: state.signalsSent)
    }

    private static func send(_ signal: Int32, to pid: Int32) {
        // The child leads its own process group: signal the group, and the child itself if that fails.
        if systemKill(-pid, signal) != 0 { _ = systemKill(pid, signal) }
    }

    /// Starts `process` from a thread of its own with no signal blocked.
    ///
    /// `posix_spawn` gives the child the spawning thread's signal mask, and Swift concurrency's
    /// threads (libdispatch workers) block SIGTERM and most other signals: a child spawned from one
    /// would never see our SIGTERM. A short-lived thread with an empty mask spawns it instead; a
    /// process-directed signal that lands on that thread meanwhile is handled exactly as on any other.
    private static func spawn(_ process: Process) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                var empty = sigset_t()
                sigemptyset(&empty)
                pthread_sigmask(SIG_SETMASK, &empty, nil)
                do {
                    try process.run()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// The executable for `program`: a path as given, or the first match on `PATH` (no shell involved).
    static func resolve(_ program: String, environment: [String: String]?) throws -> URL {
        if program.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: program) else {
                throw LaunchError(description: "'\(program)' is not an executable file")
            }
            return URL(fileURLWithPath: program)
        }
        let path = (environment ?? ProcessInfo.processInfo.environment)["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = (String(directory) as NSString).appendingPathComponent(program)
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw LaunchError(description: "'\(program)' was not found on PATH")
    }
}

#if canImport(Glibc)
    private let systemKill = Glibc.kill
    private let systemSignal = Glibc.signal
#elseif canImport(Musl)
    private let systemKill = Musl.kill
    private let systemSignal = Musl.signal
#elseif canImport(Darwin)
    private let systemKill = Darwin.kill
    private let systemSignal = Darwin.signal
#endif
