import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process that runs an execution, recorded with it so that a later `taskrun resume` can
/// tell an execution whose process died (interrupted: resumable) from one still running elsewhere.
public struct StoreOwner: Sendable, Hashable, Codable {
    public var processID: Int32
    public var host: String

    public init(processID: Int32, host: String) {
        self.processID = processID
        self.host = host
    }

    /// This process.
    public static var current: StoreOwner {
        StoreOwner(processID: ProcessInfo.processInfo.processIdentifier, host: ProcessInfo.processInfo.hostName)
    }

    /// Whether the process may still be running: `true` when it is alive on this host, or when it
    /// ran on another host (which this process cannot check). A recycled process id reads as alive;
    /// `--force` gets past that.
    public var mayBeAlive: Bool {
        guard host == ProcessInfo.processInfo.hostName else { return true }
        if processID == ProcessInfo.processInfo.processIdentifier { return true }
        if kill(processID, 0) == 0 { return true }
        return errno == EPERM
    }
}
