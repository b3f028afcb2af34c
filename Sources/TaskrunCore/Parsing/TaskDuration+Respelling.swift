extension TaskDuration {
    /// `text` with each unknown unit replaced by the closest known one (`5 minuts` becomes
    /// `5 minutes`), when that makes it a valid duration; `nil` otherwise. The likely fix for a
    /// misspelt unit, shown whole so it can be copied.
    static func respelling(of text: String) -> String? {
        var respelt = String.UnicodeScalarView()
        var word = String.UnicodeScalarView()
        var changed = false
        // Replaces the word just read when it is not a unit; false when nothing is close to it.
        func flush() -> Bool {
            defer { word.removeAll() }
            guard !word.isEmpty else { return true }
            let unit = String(word)
            if units[unit.lowercased()] != nil {
                respelt.append(contentsOf: word)
                return true
            }
            guard let guess = Suggestion.closest(to: unit, in: unitNames) else { return false }
            respelt.append(contentsOf: guess.unicodeScalars)
            changed = true
            return true
        }
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic {
                word.append(scalar)
                continue
            }
            guard flush() else { return nil }
            respelt.append(scalar)
        }
        guard flush(), changed else { return nil }
        let result = String(respelt)
        return (try? parse(result)) == nil ? nil : result
    }
}
