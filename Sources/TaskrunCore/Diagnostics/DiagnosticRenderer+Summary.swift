extension DiagnosticRenderer {
    /// A count of the problems, as the last line of a report: `2 errors, 1 warning`,
    /// `1 warning`, or `no errors or warnings`.
    public static func summary(of diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.count { $0.severity == .error }
        return summary(errors: errors, warnings: diagnostics.count - errors)
    }

    /// `2 errors, 1 warning`; a zero count is left out, and both zero read `no errors or warnings`.
    public static func summary(errors: Int, warnings: Int) -> String {
        var parts: [String] = []
        if errors > 0 { parts.append(errors == 1 ? "1 error" : "\(errors) errors") }
        if warnings > 0 { parts.append(warnings == 1 ? "1 warning" : "\(warnings) warnings") }
        return parts.isEmpty ? "no errors or warnings" : parts.joined(separator: ", ")
    }
}
