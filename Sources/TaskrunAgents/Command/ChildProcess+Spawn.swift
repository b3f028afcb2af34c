import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension ChildProcess {
    /// A started child and our ends of its three pipes.
    struct Spawned: Sendable {
        var pid: pid_t
        /// The write end of the child's stdin.
        var stdin: Int32
        /// The read end of the child's stdout.
        var stdout: Int32
        /// The read end of the child's stderr.
        var stderr: Int32
    }

    /// Starts `executable` with `argv` and `environment` (`NAME=value` strings): every signal at its
    /// default action and none blocked, in a new process group, with only stdin, stdout and stderr
    /// open (each a pipe to us), in `workingDirectory` when given.
    static func spawn(
        executable: String, argv: [String], environment: [String], workingDirectory: String?
    ) throws -> Spawned {
        var pipes: [(read: Int32, write: Int32)] = []
        defer {
            // On failure, close everything; on success the child's ends are closed below and ours returned.
            if pipes.count < 3 { for pipe in pipes { close(pipe.read); close(pipe.write) } }
        }
        for _ in 0..<3 {
            pipes.append(try makePipe())
        }
        let (stdinPipe, stdoutPipe, stderrPipe) = (pipes[0], pipes[1], pipes[2])

        #if os(Linux)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t?
            var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        // The pipes are close-on-exec; dup2 onto 0, 1 and 2 gives the child copies that stay open.
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
        // Descriptors other code opened without close-on-exec must not leak into the child.
        if let closeFrom = GNUSpawnExtensions.addCloseFrom { _ = closeFrom(&actions, 3) }
        if let workingDirectory {
            guard let addChdir = GNUSpawnExtensions.addChdir else {
                throw LaunchError(description: "this system cannot start a command in another working directory")
            }
            _ = addChdir(&actions, workingDirectory)
        }

        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        // These two cannot be caught or ignored, and asking to reset them fails on some libcs.
        sigdelset(&everySignal, SIGKILL)
        sigdelset(&everySignal, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setpgroup(&attributes, 0)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)
        #if canImport(Darwin)
            flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let arguments = argv.map { strdup($0) }
        let variables = environment.map { strdup($0) }
        defer {
            for pointer in arguments + variables { free(pointer) }
        }
        var pid: pid_t = 0
        var argumentVector = arguments + [nil]
        var variableVector = variables + [nil]
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argumentVector, &variableVector)
        guard result == 0 else {
            throw LaunchError(
                description: "cannot start '\(argv.first ?? executable)': \(String(cString: strerror(result)))")
        }
        close(stdinPipe.read)
        close(stdoutPipe.write)
        close(stderrPipe.write)
        let spawned = Spawned(pid: pid, stdin: stdinPipe.write, stdout: stdoutPipe.read, stderr: stderrPipe.read)
        pipes.append((-1, -1))  // marks success for the deferred cleanup
        return spawned
    }

    /// A pipe whose two ends close on exec, so other children never inherit them.
    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [-1, -1]
        let result = pipe(&descriptors)
        if result == 0 {
            _ = fcntl(descriptors[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptors[1], F_SETFD, FD_CLOEXEC)
        }
        guard result == 0 else {
            throw LaunchError(description: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        return (descriptors[0], descriptors[1])
    }
}

/// The `_np` file actions of glibc (2.29+ and 2.34+) and macOS, looked up at run time: Swift's
/// Glibc module does not declare them without `_GNU_SOURCE`.
private enum GNUSpawnExtensions {
    #if os(Linux)
        typealias Actions = UnsafeMutablePointer<posix_spawn_file_actions_t>
    #else
        typealias Actions = UnsafeMutablePointer<posix_spawn_file_actions_t?>
    #endif
    typealias AddCloseFrom = @convention(c) (Actions, Int32) -> Int32
    typealias AddChdir = @convention(c) (Actions, UnsafePointer<CChar>) -> Int32

    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")

    private static func symbol<T>(_ name: String) -> T? {
        #if os(Linux)
            let handle = dlopen(nil, RTLD_NOW)
        #else
            let handle = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT
        #endif
        guard let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }
}
