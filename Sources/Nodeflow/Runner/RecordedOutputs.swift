import OrderedCollections
import Synchronization

/// The values today's output nodes (`nodetool.output.Output`) recorded during a run, by output
/// name: the job's result for those outputs. As in nodetool, a value equal (as Python compares)
/// to the last one recorded under its name is not recorded again, and `None` is never recorded.
final class RecordedOutputs: Sendable {
    private let values = Mutex<OrderedDictionary<String, [Value]>>([:])

    func record(_ value: Value, name: String) {
        guard value != .null else { return }
        values.withLock { values in
            if let last = values[name]?.last, last.pythonEquals(value) { return }
            values[name, default: []].append(value)
        }
    }

    /// The values recorded under `name`; `nil` when none were.
    func values(named name: String) -> [Value]? {
        values.withLock { $0[name] }
    }
}

extension Value {
    /// Python's `==`: `1 == 1.0 == True`, lists and dicts element by element.
    func pythonEquals(_ other: Value) -> Bool {
        switch (self, other) {
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.pythonEquals($1) }
        case (.dict(let a), .dict(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let o = b[key], o.pythonEquals(value) else { return false }
            }
            return true
        case (.int(let a), .int(let b)):
            return a == b
        default:
            if let x = self.pythonNumber, let y = other.pythonNumber { return x == y }
            return self == other
        }
    }

    /// The value as a number where Python compares it as one (bools are ints).
    private var pythonNumber: Double? {
        switch self {
        case .bool(let b): b ? 1 : 0
        case .int(let i): Double(i)
        case .float(let f): f
        default: nil
        }
    }
}
