extension PhaseGraph {
    /// The graph in Graphviz `dot` syntax, arrows pointing from a phase to the phases that wait
    /// for it. Nodes get generated ids (`p1`, `p2`, ...) and the phase names as quoted labels;
    /// the critical path is drawn bold. Ends with a line break. Render with
    /// `taskrun graph TASK --format dot | dot -Tsvg > graph.svg`.
    public func dot(name: String) -> String {
        let critical = Set(criticalPath)
        let criticalEdges = Set(zip(criticalPath, criticalPath.dropFirst()).map { "\($0.0)>\($0.1)" })
        var lines = [
            "digraph \(Self.dotString(name)) {",
            "    rankdir=TB;",
            "    node [shape=box, style=rounded];",
        ]
        for index in phases.indices {
            let bold = critical.contains(index) ? ", penwidth=2" : ""
            lines.append("    \(nodeID(index)) [label=\(Self.dotString(phases[index].name))\(bold)];")
        }
        for index in phases.indices {
            for dependency in dependencyIndices[index] {
                let bold = criticalEdges.contains("\(dependency)>\(index)") ? " [penwidth=2]" : ""
                lines.append("    \(nodeID(dependency)) -> \(nodeID(index))\(bold);")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` as a double-quoted dot string. Backslashes are doubled too, because in labels
    /// Graphviz reads `\n`, `\l`, `\N` and friends as escapes.
    static func dotString(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r", "\t": quoted += " "
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
