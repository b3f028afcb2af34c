import Foundation
import Synchronization
import TaskrunCore

/// A digest of what an execution ran, so `taskrun resume` can tell whether the task file changed.
///
/// For a task read from a file it is the SHA-256 of the file's bytes (`sha256:…`): any edit counts,
/// even one that changes only prose. A task built in code (no `sourcePath`, or an unreadable one)
/// is digested from its definition's canonical JSON instead (`sha256-definition-v2:…`; stores
/// written before hold `sha256-definition:…`, which ``matches(_:stored:)`` still understands).
public enum TaskFingerprint {
    /// The fingerprint of `task` as it is now.
    public static func of(_ task: TaskDefinition) -> String {
        digest(task).fingerprint
    }

    /// The fingerprint of `task`, and, when it was made from the definition, the JSON it was made
    /// from (sorted keys, no source path), which the store keeps instead of encoding the task again.
    static func digest(_ task: TaskDefinition) -> (fingerprint: String, definition: [UInt8]?) {
        if let path = task.sourcePath, let data = FileManager.default.contents(atPath: path) {
            return (of(fileContents: data), nil)
        }
        if let last = lastDefinitionDigest.withLock({ $0 }), last.task == task {
            return (last.fingerprint, last.definition)
        }
        let digest: (fingerprint: String, definition: [UInt8]?) =
            if let bytes = canonicalDefinition(task) {
                ("sha256-definition-v2:" + SHA256.hex(of: bytes), bytes)
            } else {
                (legacyDefinitionFingerprint(withoutPath(task)), nil)
            }
        lastDefinitionDigest.withLock { $0 = DefinitionDigest(task: task, fingerprint: digest.0, definition: digest.1) }
        return digest
    }

    /// The last definition digested from its JSON (not from a file), with its digest: a process
    /// that starts the same task again and again (a service, the benchmark) encoded and hashed the
    /// whole definition at every start, 6% of a durable chain of 1,000 phases (Docs/performance.md,
    /// W4). A task whose file can be read never gets here: the file may have changed.
    private static let lastDefinitionDigest = Mutex<DefinitionDigest?>(nil)

    private struct DefinitionDigest: Sendable {
        let task: TaskDefinition
        let fingerprint: String
        let definition: [UInt8]?
    }

    /// The fingerprint of a task file's bytes.
    public static func of(fileContents: some Sequence<UInt8>) -> String {
        "sha256:" + SHA256.hex(of: fileContents)
    }

    /// The fingerprint of a definition (without its source path, so moving a file changes nothing):
    /// `sha256-definition-v2:` and the digest of its JSON with every object's keys sorted.
    public static func ofDefinition(_ task: TaskDefinition) -> String {
        if let bytes = canonicalDefinition(task) {
            return "sha256-definition-v2:" + SHA256.hex(of: bytes)
        }
        return legacyDefinitionFingerprint(withoutPath(task))
    }

    /// `task` without its source path as JSON with every object's keys sorted; `nil` when the fast
    /// encoder cannot write it.
    private static func canonicalDefinition(_ task: TaskDefinition) -> [UInt8]? {
        try? RecordJSONEncoder(redactor: Redactor(secrets: []), sortsKeys: true).encode(withoutPath(task))
    }

    private static func withoutPath(_ task: TaskDefinition) -> TaskDefinition {
        var task = task
        task.sourcePath = nil
        return task
    }

    /// Whether `task` is the task whose fingerprint was `stored`, by the scheme `stored` was made with:
    /// definitions were fingerprinted through Foundation's encoder before `sha256-definition-v2:`
    /// (four times slower on a large task, and part of starting every execution).
    public static func matches(_ task: TaskDefinition, stored: String) -> Bool {
        if stored.hasPrefix("sha256-definition:") {
            guard task.sourcePath.flatMap({ FileManager.default.contents(atPath: $0) }) == nil else { return false }
            var task = task
            task.sourcePath = nil
            return legacyDefinitionFingerprint(task) == stored
        }
        return of(task) == stored
    }

    private static func legacyDefinitionFingerprint(_ task: TaskDefinition) -> String {
        let data = (try? StorageCoding.canonicalEncoder().encode(task)) ?? Data()
        return "sha256-definition:" + SHA256.hex(of: data)
    }
}

/// A digest of an execution's input (defaults applied, secrets redacted), so `taskrun run` can
/// notice that the same task with the same input was interrupted before.
public enum InputFingerprint {
    /// The fingerprint of `input`, with the values named in `secretInputs` redacted first.
    public static func of(_ input: [String: JSONValue], secretInputs: some Sequence<String>) -> String {
        var redacted = input
        for name in secretInputs where redacted[name] != nil { redacted[name] = .string(Redactor.placeholder) }
        let data = (try? StorageCoding.canonicalEncoder().encode(redacted)) ?? Data()
        return "sha256:" + SHA256.hex(of: data)
    }
}
