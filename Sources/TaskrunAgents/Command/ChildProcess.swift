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
/// The child is started with `posix_spawn` directly rather than Foundation's `Process`, because the
/// child must start with every signal at its default action and none blocked: `taskrun run` ignores
/// SIGTERM and SIGINT itself (it handles them through dispatch sources), Swift concurrency's threads
/// block most signals, and `Process` passes both on, so the child would never see our SIGTERM. The
/// child leads a process group of its own, and signals go to the whole group, so helper processes it
/// started stop with it.
///
/// Nothing polls: the exit is awaited by a thread blocked in `waitpid`, each pipe is read to its end
/// by a thread of its own, and together they resume one continuation.
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
        var pid: pid_t = 0
        var stdout = Data()
        var stderr = Data()
        var stdoutClosed = false
        var stderrClosed = false
        var exit: (status: Int32?, signal: Int32?)?
        var signalsSent: [String] = []
        var stopRequested = false
        /// Set once the grace periods after SIGKILL ran out: finish without waiting for the pipes
        /// (a process that left the group may still hold them).
        var abandonPipes = false
        var continuation: CheckedContinuation<Outcome, Never>?
        var finished = false
        var graceTimer: Task<Void, Never>?
    }

    private let state = Mutex(State())
    private let gracePeriod: Duration
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Ignoring SIGPIPE once for the process: a child that exits without reading its stdin must make
    /// our write fail with EPIPE, not kill taskrun.
    private static let ignoreBrokenPipes: Void = {
        _ = systemSignal(SIGPIPE, SIG_IGN)
    }()

    init(gracePeriod: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
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
        let executable = try Self.resolve(program, environment: environment)
        try Task.checkCancellation()
        let environment = environment ?? ProcessInfo.processInfo.environment
        let spawned = try Self.spawn(
            executable: executable, argv: argv, environment: environment.map { "\($0.key)=\($0.value)" },
            workingDirectory: workingDirectory)
        state.withLock { $0.pid = spawned.pid }

        Thread.detachNewThread { [self] in
            var status: Int32 = 0
            var result = waitpid(spawned.pid, &status, 0)
            while result == -1, errno == EINTR { result = waitpid(spawned.pid, &status, 0) }
            guard result == spawned.pid else {
                // Someone else reaped it (a process-wide SIGCHLD handler): it is gone, how is unknown.
                finish { $0.exit = (nil, nil) }
                return
            }
            let signaled = (status & 0x7F) != 0 && (status & 0x7F) != 0x7F
            finish { $0.exit = signaled ? (nil, status & 0x7F) : ((status >> 8) & 0xFF, nil) }
        }
        drain(spawned.stdout, isError: false)
        drain(spawned.stderr, isError: true)
        // A large query could fill the pipe before the child reads it: write it off the cooperative pool.
        Thread.detachNewThread {
            let handle = FileHandle(fileDescriptor: spawned.stdin, closeOnDealloc: true)
            try? handle.write(contentsOf: input)
            try? handle.close()
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
        let pid = state.withLock { state -> pid_t? in
            guard !state.stopRequested, state.exit == nil, state.pid > 0 else { return nil }
            state.stopRequested = true
            state.signalsSent.append("SIGTERM")
            return state.pid
        }
        guard let pid else { return }
        Self.send(SIGTERM, to: pid)
        let sleep = sleep
        let grace = gracePeriod
        let timer = Task { [weak self] in
            do { try await sleep(grace) } catch { return }
            self?.kill()
            do { try await sleep(grace) } catch { return }
            self?.finish { $0.abandonPipes = true }
        }
        let alreadyDone = state.withLock { state -> Bool in
            if state.finished { return true }
            state.graceTimer = timer
            return false
        }
        if alreadyDone { timer.cancel() }
    }

    private func kill() {
        let pid = state.withLock { state -> pid_t? in
            guard state.exit == nil else { return nil }
            state.signalsSent.append("SIGKILL")
            return state.pid
        }
        if let pid { Self.send(SIGKILL, to: pid) }
    }

    /// Reads `descriptor` to its end on a thread of its own, then records the output.
    private func drain(_ descriptor: Int32, isError: Bool) {
        Thread.detachNewThread { [self] in
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            let data = (try? handle.readToEnd()) ?? Data()
            try? handle.close()
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
            exitStatus: exit.status, signal: exit.signal, stdout: state.stdout, stderr: state.stderr,
            signalsSent: state.signalsSent)
    }

    private static func send(_ signal: Int32, to pid: pid_t) {
        // The child leads its own process group: signal the group, and the child itself if that fails.
        if systemKill(-pid, signal) != 0 { _ = systemKill(pid, signal) }
    }

    /// The executable for `program`: a path as given, or the first match on `PATH` (no shell involved).
    static func resolve(_ program: String, environment: [String: String]?) throws -> String {
        if program.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: program) else {
                throw LaunchError(description: "'\(program)' is not an executable file")
            }
            return program
        }
        let path = (environment ?? ProcessInfo.processInfo.environment)["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = (String(directory) as NSString).appendingPathComponent(program)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
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
