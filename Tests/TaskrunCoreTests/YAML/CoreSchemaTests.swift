import TaskrunYAML
import Testing

@Suite struct CoreSchemaTests {
    @Test(arguments: [
        ("", YAMLScalarValue.null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null),
        ("true", .bool(true)), ("True", .bool(true)), ("FALSE", .bool(false)), ("yes", .string("yes")),
        ("0", .integer(0)), ("-17", .integer(-17)), ("+5", .integer(5)), ("0x1F", .integer(31)), ("0o17", .integer(15)),
        ("1.5", .float(1.5)), ("-.5", .float(-0.5)), ("1e3", .float(1000)), ("2.", .float(2)),
        (".inf", .float(.infinity)),
        ("-.Inf", .float(-.infinity)), ("1.0.0", .string("1.0.0")), ("0x", .string("0x")), ("1e", .string("1e")),
        ("inf", .string("inf")), ("0x1p3", .string("0x1p3")), ("12abc", .string("12abc")), ("-", .string("-")),
        ("99999999999999999999", .float(1e20)),
    ])
    func resolvesPlainScalars(text: String, expected: YAMLScalarValue) {
        #expect(YAMLScalar.resolvePlain(text) == expected)
    }

    @Test func nanResolvesToFloat() {
        guard case .float(let value) = YAMLScalar.resolvePlain(".nan") else {
            Issue.record("expected a float")
            return
        }
        #expect(value.isNaN)
    }

    @Test func quotedScalarsAreStrings() {
        #expect(YAMLScalar(text: "true", style: .doubleQuoted).resolved() == .string("true"))
        #expect(YAMLScalar(text: "3", style: .singleQuoted).resolved() == .string("3"))
        #expect(YAMLScalar(text: "3", style: .literal).resolved() == .string("3"))
    }

    @Test func explicitTagsWin() {
        #expect(YAMLScalar(text: "3").resolved(tag: "tag:yaml.org,2002:str") == .string("3"))
        #expect(YAMLScalar(text: "3").resolved(tag: "!") == .string("3"))
        #expect(YAMLScalar(text: "3", style: .doubleQuoted).resolved(tag: "tag:yaml.org,2002:int") == .integer(3))
        #expect(YAMLScalar(text: "x").resolved(tag: "!custom") == .string("x"))
    }
}
