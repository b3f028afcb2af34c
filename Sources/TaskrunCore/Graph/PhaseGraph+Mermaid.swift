extension PhaseGraph {
    /// The graph as a Mermaid `flowchart TD`, arrows pointing from a phase to the phases that
    /// wait for it. Nodes get generated ids (`p1`, `p2`, ... in file order) and the phase names
    /// as quoted labels, so any name is safe; the critical path is styled with the `critical`
    /// class. Ends with a line break.
    ///
    /// ```text
    /// flowchart TD
    ///     p1["Activation"]
    ///     p2["Round Table"]
    ///     p1 --> p2
    ///     classDef critical stroke-width:3px
    ///     class p1,p2 critical
    /// ```
    public func mermaid() -> String {
        var lines = ["flowchart TD"]
        for index in phases.indices {
            lines.append("    \(nodeID(index))[\"\(Self.mermaidLabel(phases[index].name))\"]")
        }
        for index in phases.indices {
            for dependency in dependencyIndices[index] {
                lines.append("    \(nodeID(dependency)) --> \(nodeID(index))")
            }
        }
        if !criticalPath.isEmpty {
            lines.append("    classDef critical stroke-width:3px")
            lines.append("    class \(criticalPath.map(nodeID).joined(separator: ",")) critical")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `name` made safe inside a quoted Mermaid label: characters Mermaid would read as markup
    /// become its `#...;` entity codes.
    static func mermaidLabel(_ name: String) -> String {
        var label = ""
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\"": label += "#quot;"
            case "#": label += "#35;"
            case "<": label += "#lt;"
            case ">": label += "#gt;"
            case "&": label += "#amp;"
            case "`": label += "#96;"
            case "\n", "\r", "\t": label += " "
            default: label.unicodeScalars.append(scalar)
            }
        }
        return label
    }

    /// The generated node id of the phase at `index`: `p` and its 1-based position in the file.
    func nodeID(_ index: Int) -> String {
        "p\(index + 1)"
    }
}
