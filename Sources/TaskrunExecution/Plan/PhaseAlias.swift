/// The lowerCamelCase alias of a phase name, for templates and dotted expression paths, which
/// cannot contain spaces: `Round Table` → `roundTable`, `Question Classification` →
/// `questionClassification`, `API Review` → `apiReview`, `Analysis` → `analysis`.
public enum PhaseAlias {
    /// Words are runs of letters and digits; the first is lowercased (entirely when it is an
    /// acronym, else its first letter), each later one gets an uppercase first letter.
    public static func make(_ name: String) -> String? {
        var words: [String] = []
        var current = ""
        for character in name {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        guard let first = words.first else { return nil }
        let isAcronym = first.count > 1 && first.allSatisfy { !$0.isLetter || $0.isUppercase }
        var alias = isAcronym ? first.lowercased() : first.prefix(1).lowercased() + first.dropFirst()
        for word in words.dropFirst() {
            alias += word.prefix(1).uppercased() + word.dropFirst()
        }
        return alias
    }
}
