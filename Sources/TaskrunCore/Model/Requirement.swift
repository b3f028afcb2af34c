/// The type a requirement's value must have.
public enum RequirementType: String, Sendable, Hashable, Codable, CaseIterable {
    case string, number, integer, boolean, object, array, any

    /// Whether `value` is acceptable for this type. Integers are numbers; `any` takes anything
    /// but `null`.
    public func accepts(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.any, .null): false
        case (.any, _): true
        case (.string, .string), (.boolean, .bool), (.object, .object), (.array, .array): true
        case (.number, .number): true
        case (.integer, .number(let number)): number.rounded() == number
        default: false
        }
    }
}

/// One input a task needs, declared under `requirements:` in the task's config.
///
/// Written either as a bare type name (`ticker: string`) or as a mapping
/// (`amount: {type: number, default: 10000, description: ..., enum: [...], optional: true}`).
public struct Requirement: Sendable, Hashable, Codable {
    public var name: String
    public var type: RequirementType
    public var defaultValue: JSONValue?
    public var description: String?
    /// The allowed values (`enum:`); `nil` when any value of the type is allowed.
    public var allowedValues: [JSONValue]?
    /// An optional requirement may be missing from the input; one with a default never is.
    public var isOptional: Bool
    /// A secret's value is redacted wherever the execution is recorded or shown.
    public var isSecret: Bool
    public var location: SourceLocation

    public init(
        name: String, type: RequirementType, defaultValue: JSONValue? = nil, description: String? = nil,
        allowedValues: [JSONValue]? = nil, isOptional: Bool = false, isSecret: Bool = false,
        location: SourceLocation = .start
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
        self.allowedValues = allowedValues
        self.isOptional = isOptional
        self.isSecret = isSecret
        self.location = location
    }
}
