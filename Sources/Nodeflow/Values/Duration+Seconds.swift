extension Duration {
    /// The duration in seconds, as messages and settings give times.
    package var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
