extension YAMLScalar {
    /// The tag prefix libyaml expands `!!` to.
    static let coreTagPrefix = "tag:yaml.org,2002:"

    /// The value under the YAML 1.2 core schema.
    ///
    /// Quoted and block scalars are strings. A plain scalar is `null` (`null`, `Null`, `NULL`,
    /// `~` or empty), a boolean (`true`/`false` in those three casings), an integer (decimal,
    /// `0o` octal, `0x` hex), a float (`1.5`, `1e3`, `.inf`, `.nan`), or else a string.
    /// An explicit `!!str` (or the non-specific `!`) tag makes any scalar a string; an explicit
    /// `!!null`, `!!bool`, `!!int` or `!!float` tag types quoted scalars too, when the text fits.
    public func resolved(tag: String? = nil) -> YAMLScalarValue {
        if let tag {
            switch tag {
            case "!", Self.coreTagPrefix + "str": return .string(text)
            case Self.coreTagPrefix + "null", Self.coreTagPrefix + "bool", Self.coreTagPrefix + "int",
                Self.coreTagPrefix + "float":
                return Self.resolvePlain(text)
            default: break
            }
        }
        guard style == .plain else { return .string(text) }
        return Self.resolvePlain(text)
    }

    /// Core-schema resolution of plain scalar text, without looking at style or tag.
    public static func resolvePlain(_ text: String) -> YAMLScalarValue {
        // Most scalars are words: anything starting with another character is a string, decided
        // without comparing against every keyword.
        guard let head = text.utf8.first else { return .null }
        switch head {
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"),
            UInt8(ascii: "F"), UInt8(ascii: "~"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), 48...57:
            break
        default:
            return .string(text)
        }
        // No keyword starts with a digit: numbers skip the comparisons.
        if head < 48 || head > 57, let keyword = keyword(text) { return keyword }
        // A byte no number form uses (a blank, most letters) makes the text a string: decided
        // without copying it into an array, as `3 minutes` or `2 hours` are.
        guard text.utf8.allSatisfy({ Self.mayAppearInNumber($0) }) else { return .string(text) }
        guard head == UInt8(ascii: "-") || head == UInt8(ascii: "+") || head == UInt8(ascii: ".") || isDigit(head)
        else { return .string(text) }
        // On the contiguous bytes of the text, not a copy of them in an array.
        var contiguous = text
        let number: YAMLScalarValue? = contiguous.withUTF8 { bytes in
            if let value = integer(bytes) { return value }
            if isFloatSyntax(bytes), let value = Double(text) { return .float(value) }
            return nil
        }
        return number ?? .string(text)
    }

    /// The value of the core schema's null, boolean and special float spellings.
    private static func keyword(_ text: String) -> YAMLScalarValue? {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: return nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    /// Digits, signs, the point, `e`/`E`, the `0x`/`0o` markers and hex digits: every byte of
    /// every integer and float form.
    private static func mayAppearInNumber(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 43, 45, 46, 120, 111, 97...102, 65...70: true
        default: false
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int64? {
        switch byte {
        case 48...57: Int64(byte - 48)
        case 97...102: Int64(byte - 87)
        case 65...70: Int64(byte - 55)
        default: nil
        }
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`.
    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> YAMLScalarValue? {
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"),
            bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "o")
        {
            let radix: Int64 = bytes[1] == UInt8(ascii: "x") ? 16 : 8
            var value: Int64 = 0
            var overflow = false
            for byte in bytes[2...] {
                guard let digit = hexValue(byte), digit < radix else { return nil }
                let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
                let (sum, o2) = shifted.addingReportingOverflow(digit)
                overflow = overflow || o1 || o2
                value = sum
            }
            return overflow ? .float(Double.infinity) : .integer(value)
        }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        guard index < bytes.count else { return nil }
        var value: Int64 = 0
        var overflow = false
        while index < bytes.count {
            let byte = bytes[index]
            guard isDigit(byte) else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let digit = Int64(byte - 48)
            let (sum, o2) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            overflow = overflow || o1 || o2
            value = sum
            index += 1
        }
        if overflow {
            // Too large for 64 bits: still a number, just not an exact one.
            let text = String(decoding: bytes, as: UTF8.self)
            return Double(text).map { .float($0) }
        }
        return .integer(value)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, checked by hand because
    /// `Double(_:)` also accepts forms YAML does not (`0x1p3`, `inf`, `nan`).
    private static func isFloatSyntax(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            index += 1
        }
        var integerDigits = 0
        while index < bytes.count, isDigit(bytes[index]) {
            index += 1
            integerDigits += 1
        }
        var fractionDigits = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, isDigit(bytes[index]) {
                index += 1
                fractionDigits += 1
            }
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                index += 1
            }
            var exponentDigits = 0
            while index < bytes.count, isDigit(bytes[index]) {
                index += 1
                exponentDigits += 1
            }
            guard exponentDigits > 0 else { return false }
        }
        return index == bytes.count
    }
}
