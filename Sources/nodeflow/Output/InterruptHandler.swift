import Dispatch
import Foundation

/// The write end of the pipe the SIGINT handler signals through; set once before the handler is
/// installed, read only by the handler.
nonisolated(unsafe) private var interruptPipeWriteEnd: Int32 = -1

/// Turns the first Ctrl-C (SIGINT) into a call of `onInterrupt` — the run is cancelled and the
/// command exits 130 once every node has finalized — and a second one into an immediate exit.
///
/// The signal handler only writes a byte to a pipe (all a handler may safely do); a dispatch
/// source reading the pipe does the rest. A handler is used rather than ignoring the signal,
/// because an ignored signal is discarded by the kernel before any thread sees it.
final class InterruptHandler: @unchecked Sendable {
    private let source: DispatchSourceRead
    private let readEnd: Int32
    private var interrupted = false  // touched only on `queue`
    private let queue = DispatchQueue(label: "nodeflow.interrupt")

    init(onInterrupt: @escaping @Sendable () -> Void) {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        readEnd = fds[0]
        interruptPipeWriteEnd = fds[1]
        signal(SIGINT) { _ in
            var byte: UInt8 = 1
            _ = write(interruptPipeWriteEnd, &byte, 1)
        }
        source = DispatchSource.makeReadSource(fileDescriptor: fds[0], queue: queue)
        source.setEventHandler { [unowned self] in
            var byte: UInt8 = 0
            _ = read(self.readEnd, &byte, 1)
            if self.interrupted { Foundation.exit(ExitStatus.cancelled) }
            self.interrupted = true
            onInterrupt()
        }
        source.resume()
    }

    func restore() {
        signal(SIGINT, SIG_DFL)
        source.cancel()
    }
}
