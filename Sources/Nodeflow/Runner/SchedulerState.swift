import DequeModule

/// The decisions of one scope's run where every edge carries one value (every 0.5.3 workflow):
/// which node starts next, inline or in a child task, under the concurrency cap, and when the
/// scope is done — free of concurrency, so that tables of graph shapes test it.
///
/// The driver asks ``next()`` for an ``Action``, carries it out, and reports what happened
/// (``completed(_:)``, ``failed(_:)``, ``cancel()``). Ready nodes come out in the order they
/// became ready, the first ones in file order.
struct SchedulerState {
    enum Action: Equatable {
        /// Run this node in the scheduling loop, then report it.
        case runInline(Int)
        /// Start this node in a child task; report it when the task ends.
        case startTask(Int)
        /// Wait for a child task to end and report it.
        case waitForTask
        /// Every node completed.
        case finished
        /// A node failed or the run was cancelled, and no task is left.
        case stopped
    }

    private var waitingFor: [Int]
    private var ready: Deque<Int>
    private let dependents: [[Int]]
    private let runsInline: [Bool]
    private let maxTasks: Int
    /// Nodes in child tasks, started and not yet reported.
    private(set) var tasks = 0
    private(set) var finished = 0
    /// Once set (a failure or a cancel), no new node starts.
    private(set) var isStopping = false
    let count: Int

    /// - Parameters:
    ///   - dependencyCounts: each node's number of dependency links.
    ///   - dependents: each node's dependents, one entry per link.
    ///   - runsInline: whether each node runs in the scheduling loop rather than in a task.
    ///   - maxTasks: the most child tasks at once.
    init(dependencyCounts: [Int], dependents: [[Int]], runsInline: [Bool], maxTasks: Int = .max) {
        precondition(maxTasks > 0, "the concurrency cap must allow one task")
        waitingFor = dependencyCounts
        self.dependents = dependents
        self.runsInline = runsInline
        self.maxTasks = maxTasks
        count = dependencyCounts.count
        ready = Deque()
        for (l, c) in dependencyCounts.enumerated() where c == 0 { ready.append(l) }
    }

    /// What the driver does next.
    mutating func next() -> Action {
        if !isStopping, let first = ready.first {
            if runsInline[first] {
                ready.removeFirst()
                return .runInline(first)
            }
            if tasks < maxTasks {
                ready.removeFirst()
                tasks += 1
                return .startTask(first)
            }
        }
        if tasks > 0 { return .waitForTask }
        return finished == count ? .finished : .stopped
    }

    /// A node succeeded: the nodes that now have all their inputs become ready.
    mutating func completed(_ node: Int) {
        if !runsInline[node] { tasks -= 1 }
        finished += 1
        for d in dependents[node] {
            waitingFor[d] -= 1
            if waitingFor[d] == 0 { ready.append(d) }
        }
    }

    /// A node failed or was cancelled: nothing new starts.
    mutating func failed(_ node: Int) {
        if !runsInline[node] { tasks -= 1 }
        isStopping = true
    }

    /// The run is cancelled: nothing new starts.
    mutating func cancel() {
        isStopping = true
    }

    /// Whether every node finished successfully.
    var isComplete: Bool { finished == count }
}
