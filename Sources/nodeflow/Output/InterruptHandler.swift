import Dispatch
import Foundation

/// Turns the first Ctrl-C (SIGINT) into a call of `onInterrupt` — the run is cancelled and the
/// command exits 130 once every node has finalized — and a second one into an immediate exit.
final class InterruptHandler: @unchecked Sendable {
    private let source: DispatchSourceSignal
    private var interrupted = false  // touched only on `queue`
    private let queue = DispatchQueue(label: "nodeflow.interrupt")

    init(onInterrupt: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: queue)
        source.setEventHandler { [unowned self] in
            if self.interrupted { Foundation.exit(ExitStatus.cancelled) }
            self.interrupted = true
            onInterrupt()
        }
        source.resume()
    }

    func restore() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
