import DequeModule
import OrderedCollections

/// The bookkeeping of one scope's run, free of concurrency: how many inputs each node still
/// waits for, which nodes are ready, and whether the scope stops starting new work.
///
/// The driver feeds it events (a node finished, a node failed, cancel) and asks it what to start
/// next. Ready nodes come out in the order they became ready; the first ones in file order.
struct SchedulerState {
    private var waitingFor: [Int]
    private var ready: Deque<Int>
    private let dependents: [[Int]]
    /// Nodes started and not yet finished.
    private(set) var running = 0
    private(set) var finished = 0
    /// Once set (a failure or a cancel), no new node starts.
    private(set) var isStopping = false
    let count: Int

    init(dependencyCounts: [Int], dependents: [[Int]]) {
        waitingFor = dependencyCounts
        self.dependents = dependents
        count = dependencyCounts.count
        ready = Deque()
        for (l, c) in dependencyCounts.enumerated() where c == 0 { ready.append(l) }
    }

    /// The next node to start, or `nil` when none is ready or the scope is stopping.
    mutating func nextReady() -> Int? {
        guard !isStopping, let next = ready.popFirst() else { return nil }
        running += 1
        return next
    }

    /// Puts a node taken with ``nextReady()`` back at the front (it could not start yet).
    mutating func putBack(_ node: Int) {
        running -= 1
        ready.prepend(node)
    }

    /// Records a node's success and makes the nodes that now have all their inputs ready.
    mutating func nodeCompleted(_ node: Int) {
        running -= 1
        finished += 1
        for d in dependents[node] {
            waitingFor[d] -= 1
            if waitingFor[d] == 0 { ready.append(d) }
        }
    }

    /// Records a node that failed or was cancelled; nothing new starts after it.
    mutating func nodeStopped(_ node: Int) {
        running -= 1
        isStopping = true
    }

    /// Stops starting new nodes.
    mutating func stop() {
        isStopping = true
    }

    /// Whether every node finished successfully.
    var isComplete: Bool { finished == count }
}
