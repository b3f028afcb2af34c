/// The functions an expression may call. There are no others: calling anything else is a
/// syntax error, so a task file can never reach code that is not listed here.
enum BuiltinFunction: String, CaseIterable, Sendable {
    case len, lower, upper, trim, contains, startsWith, endsWith, matches
    case min, max, sum, avg, abs, round
    case keys, values, has, any, all
    case number, string, `default`

    /// How many arguments the function takes; `Int.max` as the upper bound means any number.
    var arity: ClosedRange<Int> {
        switch self {
        case .len, .lower, .upper, .trim, .sum, .avg, .abs, .keys, .values, .any, .all, .number, .string:
            1...1
        case .contains, .startsWith, .endsWith, .matches, .has, .default:
            2...2
        case .round:
            1...2
        case .min, .max:
            1...Int.max
        }
    }

    /// `takes 1 argument`, `takes 1 or 2 arguments`, `takes at least 1 argument`.
    var arityDescription: String {
        let range = arity
        func arguments(_ count: Int) -> String { count == 1 ? "1 argument" : "\(count) arguments" }
        if range.upperBound == Int.max { return "takes at least \(arguments(range.lowerBound))" }
        if range.lowerBound == range.upperBound { return "takes \(arguments(range.lowerBound))" }
        return "takes \(range.lowerBound) or \(arguments(range.upperBound))"
    }
}
