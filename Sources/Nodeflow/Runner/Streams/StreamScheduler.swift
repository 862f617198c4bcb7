import DequeModule

/// The decisions of a scope where values stream along edges — nodetool's actor runner as a state
/// machine, free of concurrency: which node fires with which inputs (per its ``SyncMode``), when
/// a generator may yield its next item, what a stream reader is handed, when a node's inputs have
/// ended, and where each value goes.
///
/// The driver asks ``next()`` for an ``Action``, carries it out (inline, or in a child task for a
/// node that does not run inline, up to the concurrency cap), and reports the outcome with one of
/// the event methods. Every handle holds at most `capacity` values: a node is not fired, pulled
/// or handed a value while one of its targets is full (backpressure). Only when nothing else can
/// move does the oldest blocked node get to exceed that bound once, so a graph that needs more
/// buffering (a stream zipped against its own collected list) still ends.
///
/// A failed node ends its streams: its targets see the end of its edges and finish with what they
/// got; values sent to it afterwards are dropped; the rest of the scope runs on.
struct StreamScheduler {
    enum Action: Equatable {
        /// Fire a node (one result, or a generator's new run) with a value per handle (`nil`: none).
        case fire(Int, [Value?])
        /// Ask a generator for its next item.
        case pull(Int)
        /// Hand a stream reader the value that arrived on a handle.
        case deliver(Int, handle: Int, Value)
        /// Tell a stream reader that its inputs ended.
        case finish(Int)
        /// A node is done (post its completion); report nothing.
        case completed(Int)
        /// A node must fail with this reason (a list it gathers passed the run's limit); report
        /// ``failed(_:)``.
        case fail(Int, String)
        /// Wait for a child task to end and report it.
        case waitForTask
        /// Every node is done.
        case finished
        /// Cancelled, and no task is left.
        case stopped
    }

    private enum Phase: Equatable {
        case idle
        /// An action of the node is under way.
        case busy
        /// A generator between items.
        case generating
        case done
    }

    private struct NodeState {
        var arrivals: Deque<(handle: Int, value: Value)> = []
        /// Values held per handle: arrivals not taken yet plus `zip_all`'s buffers.
        var held: [Int]
        /// Edges per handle that have not ended.
        var open: [Int]
        var phase = Phase.idle
        var fired = false
        var finishing = false
        var blocked = false
        var pending = false
        var overflow = false
        /// `on_any`: the latest value per handle; list aggregation: the last value per handle.
        var current: [Value?]
        /// `zip_all`: values per handle waiting for a tuple, and the sticky values.
        var zipped: [Deque<Value>]
        var stickyValues: [Value?]
        /// List aggregation: the gathered list per list handle.
        var lists: [[Value]]

        init(handles: Int, edgeCounts: [Int]) {
            held = Array(repeating: 0, count: handles)
            open = edgeCounts
            current = Array(repeating: nil, count: handles)
            zipped = []
            stickyValues = []
            lists = []
        }

        var inputsEnded: Bool { arrivals.isEmpty && !open.contains { $0 > 0 } }
    }

    let topology: StreamTopology
    let capacity: Int
    private let maxTasks: Int
    private var nodes: [NodeState]
    private var pending: [Int] = []
    private var waitingForTask: Deque<Int> = []
    private var blockedCount = 0
    private(set) var tasks = 0
    private(set) var doneCount = 0
    private(set) var isStopping = false
    /// Set when nothing could move and nothing was blocked (a bug): the run stops with an error.
    private(set) var isStalled = false
    /// The nodes that failed, in the order they were reported.
    private(set) var failedNodes: [Int] = []

    /// The most items a list aggregation may gather (the run's `ValueLimits`).
    private let maxListCount: Int

    init(topology: StreamTopology, capacity: Int = 64, maxTasks: Int = .max, maxListCount: Int = .max) {
        precondition(capacity > 0 && maxTasks > 0, "buffers and the concurrency cap must allow one")
        self.maxListCount = maxListCount
        self.topology = topology
        self.capacity = capacity
        self.maxTasks = maxTasks
        nodes = (0..<topology.count).map { l in
            var state = NodeState(handles: topology.handles[l].count, edgeCounts: topology.edgeCounts[l])
            if topology.syncModes[l] == .zipAll {
                state.zipped = Array(repeating: [], count: topology.handles[l].count)
                state.stickyValues = Array(repeating: nil, count: topology.handles[l].count)
            }
            if topology.aggregates[l] { state.lists = Array(repeating: [], count: topology.handles[l].count) }
            return state
        }
        for l in (0..<topology.count).reversed() { push(l) }
    }

    // MARK: Deciding

    /// What the driver does next.
    mutating func next() -> Action {
        if isStopping { return tasks > 0 ? .waitForTask : .stopped }
        while true {
            while let l = pending.popLast() {
                nodes[l].pending = false
                if let action = examine(l) { return action }
            }
            if tasks > 0 { return .waitForTask }
            if doneCount == topology.count { return .finished }
            // Nothing moves: let the first blocked node exceed the bound once.
            guard let l = nodes.indices.first(where: { nodes[$0].blocked }) else {
                // Cannot happen: a node not done is pending, busy, blocked or waiting for input
                // from one that is. Stop rather than hang if it ever does.
                isStalled = true
                isStopping = true
                return .stopped
            }
            unblock(l)
            nodes[l].overflow = true
        }
    }

    private mutating func examine(_ l: Int) -> Action? {
        switch nodes[l].phase {
        case .done, .busy: return nil
        case .idle, .generating: break
        }
        if !topology.runsInline[l] && tasks >= maxTasks {
            if !waitingForTask.contains(l) { waitingForTask.append(l) }
            return nil
        }
        if nodes[l].phase == .generating {
            // Every node it sends to is done (failed, or finished early): nothing would take its items.
            if !topology.routes[l].isEmpty, topology.routes[l].allSatisfy({ nodes[$0.target].phase == .done }) {
                nodes[l].phase = .idle
                return examine(l)
            }
            guard hasRoom(l) else { return nil }
            return start(l, .pull(l))
        }
        switch topology.roles[l] {
        case .consumer:
            if nodes[l].finishing { return complete(l) }
            if let (h, value) = nodes[l].arrivals.first {
                guard hasRoom(l) else { return nil }
                take(l, h)
                return start(l, .deliver(l, handle: h, value))
            }
            if nodes[l].inputsEnded {
                guard hasRoom(l) else { return nil }
                nodes[l].finishing = true
                return start(l, .finish(l))
            }
            return nil
        case .buffered, .generator:
            if topology.handles[l].isEmpty {
                if nodes[l].fired { return complete(l) }
                guard hasRoom(l) else { return nil }
                nodes[l].fired = true
                return start(l, .fire(l, []))
            }
            if topology.aggregates[l] { return examineAggregate(l) }
            return topology.syncModes[l] == .zipAll ? examineZip(l) : examineOnAny(l)
        }
    }

    /// `on_any`: the first firing once every handle has a value, then one per arrival.
    private mutating func examineOnAny(_ l: Int) -> Action? {
        while let (h, value) = nodes[l].arrivals.first {
            guard hasRoom(l) else { return nil }
            take(l, h)
            nodes[l].current[h] = value
            if nodes[l].fired || !nodes[l].current.contains(where: { $0 == nil }) {
                nodes[l].fired = true
                return start(l, .fire(l, nodes[l].current))
            }
        }
        return nodes[l].inputsEnded ? complete(l) : nil
    }

    /// `zip_all`: one firing per aligned tuple; sticky handles keep their value.
    private mutating func examineZip(_ l: Int) -> Action? {
        while let (h, value) = nodes[l].arrivals.popFirst() {
            nodes[l].zipped[h].append(value)  // still held: it counts against the bound until used
        }
        let sticky = topology.sticky[l]
        let handles = sticky.indices
        let ready = handles.allSatisfy { h in
            !nodes[l].zipped[h].isEmpty || (sticky[h] && nodes[l].stickyValues[h] != nil)
        }
        let fresh = handles.contains { h in !sticky[h] } || handles.contains { h in !nodes[l].zipped[h].isEmpty }
        if ready && fresh {
            guard hasRoom(l) else { return nil }
            var values = [Value?](repeating: nil, count: sticky.count)
            for h in handles {
                if let value = nodes[l].zipped[h].popFirst() {
                    nodes[l].held[h] -= 1
                    if sticky[h] { nodes[l].stickyValues[h] = value }
                    values[h] = value
                } else {
                    values[h] = nodes[l].stickyValues[h]
                }
                if sticky[h], values[h] == .null { nodes[l].stickyValues[h] = nil }
            }
            wakeUpstream(l)
            nodes[l].fired = true
            return start(l, .fire(l, values))
        }
        guard !nodes[l].open.contains(where: { $0 > 0 }) else { return nil }
        // The streams ended: what is left cannot make a tuple and is dropped.
        for h in handles {
            nodes[l].held[h] -= nodes[l].zipped[h].count
            nodes[l].zipped[h].removeAll()
        }
        wakeUpstream(l)
        return complete(l)
    }

    /// List aggregation: gathers everything, then fires once.
    private mutating func examineAggregate(_ l: Int) -> Action? {
        if nodes[l].fired { return complete(l) }
        while let (h, value) = nodes[l].arrivals.first {
            take(l, h)
            if case .list = topology.handleTypes[l][h], topology.edgeCounts[l][h] > 1 {
                if case .list(let items) = value { nodes[l].lists[h].append(contentsOf: items) } else { nodes[l].lists[h].append(value) }
                if nodes[l].lists[h].count > maxListCount {
                    nodes[l].lists = []
                    return start(l, .fail(l, "the list gathered for '\(topology.handles[l][h])' has more than \(maxListCount) items, the run's limit"))
                }
            } else {
                nodes[l].current[h] = value
            }
        }
        guard nodes[l].inputsEnded, hasRoom(l) else { return nil }
        var values = nodes[l].current
        for h in topology.handles[l].indices where topology.edgeCounts[l][h] > 1 {
            if case .list = topology.handleTypes[l][h] { values[h] = .list(nodes[l].lists[h]) }
        }
        nodes[l].lists = []
        nodes[l].fired = true
        return start(l, .fire(l, values))
    }

    private mutating func start(_ l: Int, _ action: Action) -> Action {
        nodes[l].phase = .busy
        if !topology.runsInline[l] { tasks += 1 }
        return action
    }

    private mutating func complete(_ l: Int) -> Action {
        markDone(l)
        return .completed(l)
    }

    // MARK: Events

    /// A node fired and produced `outputs` (every slot is sent on).
    mutating func fired(_ l: Int, outputs: NodeOutputs) {
        ended(l, phase: .idle)
        route(from: l, outputs)
    }

    /// A generator's run started; its items follow.
    mutating func opened(_ l: Int) {
        ended(l, phase: .generating)
    }

    /// A generator yielded an item (`nil`: its run ended).
    mutating func pulled(_ l: Int, item: NodeOutputs?) {
        guard let item else { return ended(l, phase: .idle) }
        ended(l, phase: .generating)
        route(from: l, item)
    }

    /// A stream reader took a value (or its end) and sent `items` on.
    mutating func delivered(_ l: Int, items: [NodeOutputs]) {
        ended(l, phase: .idle)
        for item in items { route(from: l, item) }
    }

    /// A node failed: its streams end, what is sent to it is dropped.
    mutating func failed(_ l: Int) {
        ended(l, phase: .idle)
        failedNodes.append(l)
        nodes[l].arrivals.removeAll()
        for h in nodes[l].held.indices { nodes[l].held[h] = 0 }
        nodes[l].zipped = nodes[l].zipped.map { _ in [] }
        wakeUpstream(l)
        markDone(l)
    }

    /// The run is cancelled: nothing new starts.
    mutating func cancel() {
        isStopping = true
    }

    private mutating func ended(_ l: Int, phase: Phase) {
        if !topology.runsInline[l] {
            tasks -= 1
            while let waiting = waitingForTask.popFirst() { push(waiting) }
        }
        nodes[l].phase = phase
        push(l)
    }

    // MARK: Values

    private mutating func route(from l: Int, _ outputs: NodeOutputs) {
        for route in topology.routes[l] {
            guard let value = route.isDependency ? .null : outputs[route.slot] else { continue }
            let t = route.target
            guard nodes[t].phase != .done else { continue }
            nodes[t].arrivals.append((route.handle, value))
            nodes[t].held[route.handle] += 1
            push(t)
        }
    }

    private mutating func take(_ l: Int, _ h: Int) {
        nodes[l].arrivals.removeFirst()
        nodes[l].held[h] -= 1
        wakeUpstream(l)
    }

    private func isFull(_ route: StreamTopology.Route) -> Bool {
        nodes[route.target].phase != .done && nodes[route.target].held[route.handle] >= capacity
    }

    /// Whether every target of the node can take a value; if not, the node waits (blocked).
    private mutating func hasRoom(_ l: Int) -> Bool {
        if nodes[l].overflow {
            nodes[l].overflow = false
            return true
        }
        for route in topology.routes[l] where isFull(route) {
            if !nodes[l].blocked {
                nodes[l].blocked = true
                blockedCount += 1
            }
            return false
        }
        return true
    }

    private mutating func wakeUpstream(_ l: Int) {
        guard blockedCount > 0 else { return }
        for u in topology.upstream[l] where nodes[u].blocked { unblock(u) }
    }

    private mutating func unblock(_ l: Int) {
        nodes[l].blocked = false
        blockedCount -= 1
        push(l)
    }

    private mutating func markDone(_ l: Int) {
        guard nodes[l].phase != .done else { return }
        nodes[l].phase = .done
        doneCount += 1
        if nodes[l].blocked { nodes[l].blocked = false; blockedCount -= 1 }
        for route in topology.routes[l] {
            nodes[route.target].open[route.handle] -= 1
            push(route.target)
        }
    }

    private mutating func push(_ l: Int) {
        guard !nodes[l].pending else { return }
        nodes[l].pending = true
        pending.append(l)
    }

    /// Values held for a node's handle (for tests of the bound).
    func held(_ l: Int, handle h: Int) -> Int { nodes[l].held[h] }
}
