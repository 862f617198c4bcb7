@testable import Nodeflow
import Testing

/// ``SchedulerState`` alone, without concurrency: each table row is a graph shape, the driver's
/// reports, and the actions expected.
@Suite("Scheduler state")
struct SchedulerStateTests {
    /// A shape: edges between local indices, which nodes run inline, the cap.
    struct Shape {
        var count: Int
        var edges: [(Int, Int)]
        var inline: Set<Int>
        var cap = Int.max

        func state() -> SchedulerState {
            var dependents = [[Int]](repeating: [], count: count)
            var counts = [Int](repeating: 0, count: count)
            for (s, t) in edges {
                dependents[s].append(t)
                counts[t] += 1
            }
            return SchedulerState(dependencyCounts: counts, dependents: dependents, runsInline: (0..<count).map(inline.contains), maxTasks: cap)
        }
    }

    /// Runs a shape to its end, completing tasks first-started-first, and returns the actions.
    func trace(_ shape: Shape, failing: Int? = nil, cancelAfter: Int? = nil) -> [SchedulerState.Action] {
        var state = shape.state()
        var actions: [SchedulerState.Action] = []
        var running: [Int] = []
        while actions.count < 100 {
            if let cancelAfter, actions.count == cancelAfter { state.cancel() }
            let action = state.next()
            actions.append(action)
            switch action {
            case .runInline(let l):
                if l == failing { state.failed(l) } else { state.completed(l) }
            case .startTask(let l):
                running.append(l)
            case .waitForTask:
                let l = running.removeFirst()
                if l == failing { state.failed(l) } else { state.completed(l) }
            case .finished, .stopped:
                return actions
            }
        }
        Issue.record("the scheduler did not end: \(actions)")
        return actions
    }

    @Test("a chain of inline nodes runs in order with no task")
    func inlineChain() {
        #expect(trace(Shape(count: 3, edges: [(0, 1), (1, 2)], inline: [0, 1, 2])) == [.runInline(0), .runInline(1), .runInline(2), .finished])
    }

    @Test("a fan-out of task nodes starts every ready node before waiting")
    func fanOutTasks() {
        #expect(trace(Shape(count: 4, edges: [(0, 1), (0, 2), (0, 3)], inline: [0])) == [
            .runInline(0), .startTask(1), .startTask(2), .startTask(3), .waitForTask, .waitForTask, .waitForTask, .finished,
        ])
    }

    @Test("the cap holds: a third task waits for one of two to end")
    func cap() {
        #expect(trace(Shape(count: 3, edges: [], inline: [], cap: 2)) == [
            .startTask(0), .startTask(1), .waitForTask, .startTask(2), .waitForTask, .waitForTask, .finished,
        ])
    }

    @Test("an inline node does not wait for a task slot: it runs while the capped tasks wait")
    func inlineBesideCap() {
        // 0 and 1 are tasks (cap 1), 2 inline: 1 waits for 0's slot, 2 runs meanwhile.
        #expect(trace(Shape(count: 3, edges: [], inline: [2], cap: 1)) == [
            .startTask(0), .waitForTask, .startTask(1), .runInline(2), .waitForTask, .finished,
        ])
    }

    @Test("a diamond runs its join once both sides completed")
    func diamond() {
        #expect(trace(Shape(count: 4, edges: [(0, 1), (0, 2), (1, 3), (2, 3)], inline: [0, 3])) == [
            .runInline(0), .startTask(1), .startTask(2), .waitForTask, .waitForTask, .runInline(3), .finished,
        ])
    }

    @Test("a failure starts nothing new, waits for running tasks, and stops")
    func failure() {
        #expect(trace(Shape(count: 4, edges: [(1, 3)], inline: [], cap: 2), failing: 0) == [
            .startTask(0), .startTask(1), .waitForTask, .waitForTask, .stopped,
        ])
    }

    @Test("an inline failure stops at once")
    func inlineFailure() {
        #expect(trace(Shape(count: 3, edges: [(0, 1), (1, 2)], inline: [0, 1, 2]), failing: 1) == [.runInline(0), .runInline(1), .stopped])
    }

    @Test("a cancel lets running tasks end and starts nothing")
    func cancel() {
        #expect(trace(Shape(count: 3, edges: [], inline: [], cap: 1), cancelAfter: 1) == [.startTask(0), .waitForTask, .stopped])
    }

    @Test("an empty scope is finished at once")
    func empty() {
        #expect(trace(Shape(count: 0, edges: [], inline: [])) == [.finished])
    }

    @Test("a node with two links from one source waits for both (one count per link)")
    func doubleLink() {
        #expect(trace(Shape(count: 2, edges: [(0, 1), (0, 1)], inline: [0, 1])) == [.runInline(0), .runInline(1), .finished])
    }
}
