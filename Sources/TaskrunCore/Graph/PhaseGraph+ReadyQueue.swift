extension PhaseGraph {
    /// A binary min-heap of phase indices: the ready set of Kahn's algorithm, which hands out
    /// the phase written first.
    struct ReadyQueue {
        private var heap: [Int] = []

        mutating func insert(_ value: Int) {
            heap.append(value)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard heap[child] < heap[parent] else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        mutating func popMinimum() -> Int? {
            guard let last = heap.popLast() else { return nil }
            guard let minimum = heap.first else { return last }
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, heap[left] < heap[smallest] { smallest = left }
                if right < heap.count, heap[right] < heap[smallest] { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
            return minimum
        }
    }
}
