import Foundation

/// Runs a program as a child process with `posix_spawn`, its standard output into a file, and
/// reports its exit status, wall time and peak RSS (`wait4`'s `ru_maxrss`).
struct ChildProcess {
    struct Outcome {
        var status: Int32
        var wallSeconds: Double
        var peakRSSKiB: Int
        var output: String
    }

    enum Failure: Error, CustomStringConvertible {
        case cannotSpawn(String, Int32)

        var description: String {
            switch self {
            case .cannotSpawn(let path, let code): "cannot start '\(path)': \(String(cString: strerror(code)))"
            }
        }
    }

    var executable: String
    var arguments: [String]
    var environment: [String: String]? = nil
    /// Where stderr goes: inherited by default, so the child's progress shows on the terminal.
    var discardErrors = false

    func run() throws -> Outcome {
        let outputPath = NSTemporaryDirectory() + "taskrun-bench-\(getpid())-\(UUID().uuidString).out"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if discardErrors {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in env { free(pointer) } }

        let clock = ContinuousClock()
        let start = clock.now
        var pid = pid_t()
        let code = posix_spawnp(&pid, executable, &actions, nil, argv, env)
        guard code == 0 else { throw Failure.cannotSpawn(executable, code) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let wall = (clock.now - start).seconds
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exitStatus, wallSeconds: wall, peakRSSKiB: usage.ru_maxrss, output: output)
    }
}
