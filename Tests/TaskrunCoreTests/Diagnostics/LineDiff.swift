/// A unified-style line diff, so that a golden mismatch shows what changed instead of two walls of text.
enum LineDiff {
    /// `expected` and `actual` compared line by line: `--- expected` / `+++ actual` headers, then
    /// each line prefixed with ` ` (both), `-` (expected only) or `+` (actual only). Runs of more
    /// than `context` unchanged lines are shortened to `@@ ... @@`.
    static func unified(expected: String, actual: String, context: Int = 3) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let edits = script(old, new)
        var output = ["--- expected", "+++ actual"]
        var index = 0
        while index < edits.count {
            guard case .same = edits[index].kind else {
                output.append(edits[index].line)
                index += 1
                continue
            }
            var end = index
            while end < edits.count, case .same = edits[end].kind { end += 1 }
            let run = edits[index..<end]
            let keepHead = index == 0 ? 0 : context
            let keepTail = end == edits.count ? 0 : context
            if run.count > keepHead + keepTail {
                output += run.prefix(keepHead).map(\.line)
                output.append("@@ \(run.count - keepHead - keepTail) unchanged lines @@")
                output += run.suffix(keepTail).map(\.line)
            } else {
                output += run.map(\.line)
            }
            index = end
        }
        return output.joined(separator: "\n")
    }

    private enum Kind { case same, removed, added }

    /// A shortest edit script by longest common subsequence; goldens are small.
    private static func script(_ old: [String], _ new: [String]) -> [(kind: Kind, line: String)] {
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                lengths[i][j] = old[i] == new[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var edits: [(kind: Kind, line: String)] = []
        var i = 0
        var j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                edits.append((.same, " " + old[i]))
                i += 1
                j += 1
            } else if i < old.count, j == new.count || lengths[i + 1][j] >= lengths[i][j + 1] {
                edits.append((.removed, "-" + old[i]))
                i += 1
            } else {
                edits.append((.added, "+" + new[j]))
                j += 1
            }
        }
        return edits
    }
}
