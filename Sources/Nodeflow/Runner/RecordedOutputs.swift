import OrderedCollections
import Synchronization

/// The values today's output nodes (`nodetool.output.Output`) recorded during a run, by output
/// name: the job's result for those outputs. As in nodetool, a value equal (as Python compares)
/// to the last one recorded under its name is not recorded again, and `None` is never recorded.
final class RecordedOutputs: Sendable {
    private let values = Mutex<OrderedDictionary<String, [Value]>>([:])

    /// Records a value; `false` when the name already holds `limit` values (nothing is recorded).
    func record(_ value: Value, name: String, limit: Int) -> Bool {
        guard value != .null else { return true }
        return values.withLock { values in
            if let last = values[name]?.last, last.pythonEquals(value) { return true }
            guard values[name, default: []].count < limit else { return false }
            values[name, default: []].append(value)
            return true
        }
    }

    /// The values recorded under `name`; `nil` when none were.
    func values(named name: String) -> [Value]? {
        values.withLock { $0[name] }
    }
}
