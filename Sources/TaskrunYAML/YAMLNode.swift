/// One node of a parsed YAML document: a scalar, a sequence or a mapping, with where it is.
///
/// Mappings keep their pairs in the order written, duplicates included, so callers can report
/// a key given twice instead of silently keeping one of them.
public struct YAMLNode: Sendable, Hashable {
    /// What the node holds.
    public enum Content: Sendable, Hashable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    /// The explicit tag (`!!str`, `tag:yaml.org,2002:int`, `!custom`), resolved to its full form by libyaml;
    /// `nil` when the node has none.
    public var tag: String?
    /// Where the node starts (for quoted scalars, at the opening quote).
    public var start: YAMLMark
    /// Where the node ends: just past its last character.
    public var end: YAMLMark

    public init(_ content: Content, tag: String? = nil, start: YAMLMark, end: YAMLMark) {
        self.content = content
        self.tag = tag
        self.start = start
        self.end = end
    }

    /// The scalar, when this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The items, when this node is a sequence.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The key/value pairs in written order, when this node is a mapping.
    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value of the first pair whose key is the scalar `key`, when this node is a mapping.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }

    /// A short name of the node's kind for messages: `scalar`, `sequence` or `mapping`.
    public var kindName: String {
        switch content {
        case .scalar: "scalar"
        case .sequence: "sequence"
        case .mapping: "mapping"
        }
    }

    /// The node's scalar value under the YAML 1.2 core schema, taking its tag into account;
    /// `nil` for sequences and mappings.
    public var resolvedScalar: YAMLScalarValue? {
        guard let scalar else { return nil }
        return scalar.resolved(tag: tag)
    }
}

/// One `key: value` entry of a YAML mapping.
public struct YAMLPair: Sendable, Hashable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
