/// The shared box of a copy-on-write value type (``PhaseResult``, ``StepResult``): values share one
/// box until one of them writes, which first makes the box its own with ``uniqueBox(_:)``.
protocol CopyOnWriteBox: AnyObject {
    /// A new box with the same contents.
    func copy() -> Self
}

/// `box`, copied first when another value shares it: the box a value may write to.
@inline(__always)
func uniqueBox<Box: CopyOnWriteBox>(_ box: inout Box) -> Box {
    if !isKnownUniquelyReferenced(&box) { box = box.copy() }
    return box
}
