@testable import Nodeflow
import Testing

/// ``StreamScheduler`` alone, without concurrency: a small simulated driver carries out its
/// actions (sums for plain nodes, scripted generators, collecting or passing readers) and the
/// tables check what fired with what, what each node sent, and the bounds it kept.
@Suite("Stream scheduler")
struct StreamSchedulerTests {
    enum Behaviour {
        /// A plain node: the sum of its int inputs on `output`; fails on a 0 when `failsOnZero`.
        case sum(failsOnZero: Bool = false)
        /// A constant: sends its value once.
        case constant(Value)
        /// A generator sending these values on `output` each time it fires.
        case generate([Value])
        /// A generator sending the items of the list it is given (ForEach).
        case forEach
        /// A reader gathering everything into one list at the end (Collect).
        case collect
        /// A reader passing every value on (Reroute).
        case pass
    }

    struct Node {
        var behaviour: Behaviour
        var inline = true
        var sync = SyncMode.onAny
    }

    /// An edge `source.slot → target.property` (property type `int`, or `list[int]` when `list`).
    struct Edge {
        var source: Int
        var target: Int
        var property: String
        var list = false
    }

    struct Sim {
        var state: StreamScheduler
        let nodes: [Node]
        var sent: [[Value]]
        var fired: [[String]]
        var iterators: [Int: [Value]] = [:]
        var gathered: [Int: [Value]] = [:]
        var maxHeld = 0
        var maxTasks = 0

        init(_ nodes: [Node], _ edges: [Edge], capacity: Int = 64, maxTasks: Int = .max) {
            var inputs = [[InputBinding]](repeating: [], count: nodes.count)
            for (i, e) in edges.enumerated() {
                inputs[e.target].append(InputBinding(property: e.property, source: .local(e.source), sourceSlot: "output", type: e.list ? .list(.int) : .any, edge: i))
            }
            let roles: [StreamRole] = nodes.map {
                switch $0.behaviour {
                case .sum, .constant: .buffered
                case .generate, .forEach: .generator
                case .collect, .pass: .consumer
                }
            }
            let streams: [Bool] = nodes.map {
                switch $0.behaviour {
                case .generate, .forEach, .pass: true
                default: false
                }
            }
            let topology = StreamTopology(roles: roles, runsInline: nodes.map(\.inline), syncModes: nodes.map(\.sync), inputs: inputs, streamsOutput: streams)
            state = StreamScheduler(topology: topology, capacity: capacity, maxTasks: maxTasks)
            self.nodes = nodes
            sent = Array(repeating: [], count: nodes.count)
            fired = Array(repeating: [], count: nodes.count)
        }

        /// Runs to the end; returns the last action (`.finished` or `.stopped`). Actions of nodes
        /// that do not run inline wait in `inFlight` until the scheduler asks to wait for a task.
        mutating func run(cancelAfter: Int? = nil) -> StreamScheduler.Action {
            var steps = 0
            while steps < 100_000 {
                steps += 1
                if steps == cancelAfter { state.cancel() }
                for l in 0..<nodes.count {
                    for h in state.topology.handles[l].indices { maxHeld = max(maxHeld, state.held(l, handle: h)) }
                }
                maxTasks = max(maxTasks, state.tasks)
                let action = state.next()
                switch action {
                case .finished, .stopped: return action
                case .completed(let l): completed.append(l)
                case .fail(let l, _): state.failed(l)
                case .waitForTask: perform(inFlight.removeFirst())
                case .fire(let l, _), .pull(let l), .deliver(let l, _, _), .finish(let l):
                    if nodes[l].inline { perform(action) } else { inFlight.append(action) }
                }
            }
            Issue.record("the scheduler did not end")
            return .stopped
        }

        var inFlight: [StreamScheduler.Action] = []
        var completed: [Int] = []

        mutating func perform(_ action: StreamScheduler.Action) {
            switch action {
            case .fire(let l, let values):
                fired[l].append(values.map { $0.map { $0.jsonString() } ?? "-" }.joined(separator: ","))
                switch nodes[l].behaviour {
                case .sum(let failsOnZero):
                    if failsOnZero, values.contains(.int(0)) { return state.failed(l) }
                    let total = values.reduce(0) { sum, v in if case .int(let i)? = v { sum + i } else { sum } }
                    emit(l, .int(total))
                    state.fired(l, outputs: NodeOutputs(.int(total)))
                case .constant(let v):
                    emit(l, v)
                    state.fired(l, outputs: NodeOutputs(v))
                case .generate(let items):
                    iterators[l] = items
                    state.opened(l)
                case .forEach:
                    iterators[l] = values.first??.listValue ?? []
                    state.opened(l)
                default:
                    Issue.record("fired a reader")
                }
            case .pull(let l):
                if var items = iterators[l], !items.isEmpty {
                    let item = items.removeFirst()
                    iterators[l] = items
                    emit(l, item)
                    state.pulled(l, item: NodeOutputs(item))
                } else {
                    state.pulled(l, item: nil)
                }
            case .deliver(let l, _, let value):
                if case .pass = nodes[l].behaviour {
                    emit(l, value)
                    state.delivered(l, items: [NodeOutputs(value)])
                } else {
                    gathered[l, default: []].append(value)
                    state.delivered(l, items: [])
                }
            case .finish(let l):
                if case .collect = nodes[l].behaviour {
                    let list = Value.list(gathered[l] ?? [])
                    emit(l, list)
                    state.delivered(l, items: [NodeOutputs(list)])
                } else {
                    state.delivered(l, items: [])
                }
            default:
                break
            }
        }

        mutating func emit(_ l: Int, _ value: Value) { sent[l].append(value) }
    }
}

extension StreamSchedulerTests {
    typealias N = Node
    typealias E = Edge
    static func ints(_ values: [Int]) -> [Value] { values.map { .int($0) } }

    @Test("a stream through a plain node into Collect: one firing per item, then the list")
    func streamThroughCollect() {
        var sim = Sim([N(behaviour: .generate(Self.ints([1, 2, 3]))), N(behaviour: .sum()), N(behaviour: .collect)],
                      [E(source: 0, target: 1, property: "a"), E(source: 1, target: 2, property: "input_item")])
        #expect(sim.run() == .finished)
        #expect(sim.fired[1] == ["1", "2", "3"])
        #expect(sim.sent[2] == [.list(Self.ints([1, 2, 3]))])
        #expect(Set(sim.completed) == [0, 1, 2])
    }

    @Test("sync modes over two streams, a stream and a constant, by table")
    func syncModes() {
        // (first source, second source, sync mode, expected firings of the sum)
        let table: [(Behaviour, Behaviour, SyncMode, [String])] = [
            // on_any: the first firing waits for both; A's earlier values are overwritten.
            (.generate(Self.ints([1, 2, 3])), .generate(Self.ints([10, 20])), .onAny, ["3,10", "3,20"]),
            // zip_all: pairs by position; the extra item is dropped.
            (.generate(Self.ints([1, 2, 3])), .generate(Self.ints([10, 20])), .zipAll, ["1,10", "2,20"]),
            // zip_all with a constant: the constant is sticky.
            (.generate(Self.ints([1, 2, 3])), .constant(100), .zipAll, ["1,100", "2,100", "3,100"]),
            // on_any with the constant first in file order: every item fires with it.
            (.constant(100), .generate(Self.ints([1, 2, 3])), .onAny, ["100,1", "100,2", "100,3"]),
            // An empty stream: the sum never fires.
            (.generate([]), .constant(1), .onAny, []),
            (.generate([]), .constant(1), .zipAll, []),
            // A None item is a value like any other.
            (.constant(1), .generate([.null, .int(2)]), .onAny, ["1,null", "1,2"]),
        ]
        for (first, second, mode, expected) in table {
            var sim = Sim([N(behaviour: first), N(behaviour: second), N(behaviour: .sum(), sync: mode), N(behaviour: .collect)],
                          [E(source: 0, target: 2, property: "a"), E(source: 1, target: 2, property: "b"), E(source: 2, target: 3, property: "input_item")])
            #expect(sim.run() == .finished)
            #expect(sim.fired[2] == expected, "\(first) + \(second), \(mode)")
            #expect(sim.sent[3].count == 1, "Collect sends once, also for an empty stream")
        }
    }

    @Test("backpressure: a fast generator and a slow reader keep each handle within the bound")
    func backpressure() {
        let items = Self.ints(Array(0..<1_000))
        var sim = Sim([N(behaviour: .generate(items)), N(behaviour: .sum(), inline: false), N(behaviour: .collect)],
                      [E(source: 0, target: 1, property: "a"), E(source: 1, target: 2, property: "input_item")], capacity: 4)
        #expect(sim.run() == .finished)
        #expect(sim.maxHeld <= 4)
        #expect(sim.sent[2] == [.list(items)])
    }

    @Test("a graph that needs more than the bound (a stream zipped with its own collected list) still ends")
    func overflowRelief() {
        var sim = Sim([N(behaviour: .generate(Self.ints([1, 2, 3, 4, 5]))), N(behaviour: .collect), N(behaviour: .sum(), sync: .zipAll)],
                      [E(source: 0, target: 2, property: "a"), E(source: 0, target: 1, property: "input_item"), E(source: 1, target: 2, property: "b")],
                      capacity: 2)
        #expect(sim.run() == .finished)
        #expect(sim.fired[2] == ["1,[1,2,3,4,5]"])
    }

    @Test("a failure mid-stream ends the failed node's streams; the rest finishes with what it got")
    func failureMidStream() {
        var sim = Sim([N(behaviour: .generate(Self.ints([1, 0, 2]))), N(behaviour: .sum(failsOnZero: true)), N(behaviour: .collect), N(behaviour: .generate(Self.ints([7])))],
                      [E(source: 0, target: 1, property: "a"), E(source: 1, target: 2, property: "input_item")])
        #expect(sim.run() == .finished)
        #expect(sim.state.failedNodes == [1])
        #expect(sim.sent[2] == [.list([.int(1)])])
        #expect(sim.sent[3] == [.int(7)], "an independent stream runs on")
        #expect(!sim.completed.contains(1))
    }

    @Test("a cancel starts nothing new, waits for what runs, and stops")
    func cancelMidStream() {
        var sim = Sim([N(behaviour: .generate(Self.ints(Array(0..<100)))), N(behaviour: .sum(), inline: false), N(behaviour: .collect)],
                      [E(source: 0, target: 1, property: "a"), E(source: 1, target: 2, property: "input_item")])
        #expect(sim.run(cancelAfter: 20) == .stopped)
        #expect(sim.fired[1].count < 100)
        #expect(sim.inFlight.isEmpty)
        #expect(sim.sent[2].isEmpty)
    }

    @Test("list aggregation: a list property fed by several edges fires once with everything, lists flattened")
    func listAggregation() {
        var sim = Sim([N(behaviour: .constant(1)), N(behaviour: .constant(.list(Self.ints([2, 3])))), N(behaviour: .generate(Self.ints([4, 5]))), N(behaviour: .sum())],
                      [E(source: 0, target: 3, property: "values", list: true), E(source: 1, target: 3, property: "values", list: true),
                       E(source: 2, target: 3, property: "values", list: true)])
        #expect(sim.run() == .finished)
        #expect(sim.fired[3].count == 1)
        let values = (try? Value(json: "[" + sim.fired[3][0] + "]"))?.listValue?.first?.listValue.map { Set($0) }
        #expect(values == Set(Self.ints([1, 2, 3, 4, 5])))
    }

    @Test("nested ForEach: the inner one runs again for each outer item")
    func nestedForEach() {
        var sim = Sim([N(behaviour: .generate([.list(Self.ints([1, 2])), .list([]), .list(Self.ints([3]))])), N(behaviour: .forEach), N(behaviour: .collect)],
                      [E(source: 0, target: 1, property: "input_list", list: true), E(source: 1, target: 2, property: "input_item")])
        #expect(sim.run() == .finished)
        #expect(sim.fired[1].count == 3)
        #expect(sim.sent[2] == [.list(Self.ints([1, 2, 3]))])
    }

    @Test("the concurrency cap holds for generators and plain nodes in tasks")
    func cap() {
        var sim = Sim([N(behaviour: .generate(Self.ints(Array(0..<10))), inline: false), N(behaviour: .generate(Self.ints(Array(0..<10))), inline: false),
                       N(behaviour: .sum(), inline: false), N(behaviour: .collect)],
                      [E(source: 0, target: 2, property: "a"), E(source: 1, target: 2, property: "b"), E(source: 2, target: 3, property: "input_item")],
                      maxTasks: 1)
        #expect(sim.run() == .finished)
        #expect(sim.maxTasks == 1)
        // on_any: one firing when both have a value, then one per arrival. The first generator
        // (in file order) sends all ten before the second starts: 1 + 9 firings.
        #expect(sim.fired[2].count == 10)
    }

    @Test("a reader passing values on, and a node with no inputs firing once")
    func passAndSources() {
        var sim = Sim([N(behaviour: .constant(5)), N(behaviour: .pass), N(behaviour: .collect), N(behaviour: .sum())],
                      [E(source: 0, target: 1, property: "input_value"), E(source: 1, target: 2, property: "input_item")])
        #expect(sim.run() == .finished)
        #expect(sim.sent[2] == [.list([.int(5)])])
        #expect(sim.fired[3] == [""], "a node with no edges fires once with nothing")
    }
}
