/// A top-level name an expression reads, with the part of the path below it that is known
/// without evaluating anything.
///
/// For `phases["Question Classification"].outputs.questionType == "x"` the reference is root
/// `phases` with components `"Question Classification"`, `outputs`, `questionType`. A subscript
/// whose index is computed (`phases[input.name]`) ends the static path, so a validator can check
/// what is knowable (that a phase of that name exists) and leave the rest to evaluation.
public struct ExpressionReference: Sendable, Hashable {
    /// One step of a static path.
    public enum Component: Sendable, Hashable {
        /// `.name` or `["name"]`.
        case key(String)
        /// `[3]` (negative indexes count from the end).
        case index(Int)
    }

    /// The top-level name, such as `input` or `phases`.
    public var root: String
    /// Member names and literal subscripts after the root, up to the first computed subscript.
    public var components: [Component]
    /// Offset of the root name in the source, in Unicode scalars from 0.
    public var offset: Int

    public init(root: String, components: [Component], offset: Int) {
        self.root = root
        self.components = components
        self.offset = offset
    }

    init(root: String, accessors: [ExpressionAccessor], offset: Int) {
        var components: [Component] = []
        scan: for accessor in accessors {
            switch accessor.kind {
            case .member(let name):
                components.append(.key(name))
            case .index(let index):
                switch index.kind {
                case .literal(.string(let key)):
                    components.append(.key(key))
                case .literal(.number(let number)) where number.rounded() == number && Swift.abs(number) < 1e15:
                    components.append(.index(Int(number)))  // safe: integral and within range
                default:
                    break scan
                }
            }
        }
        self.init(root: root, components: components, offset: offset)
    }
}
