/// Node positions by id: an open-addressing table with a cheap FNV-1a hash of the id's UTF-8.
///
/// Compiling a graph looks up two ids per edge; on 100,000-node graphs `Dictionary<String, Int>`
/// (SipHash, a fresh hasher per lookup) was the largest cost of compilation.
struct NodeIDIndex {
    private var slots: [Int32]  // node position + 1; 0 = empty
    private var hashes: [UInt32]
    private let mask: Int

    /// Indexes the ids of `nodes`; for a duplicate id the first node wins.
    /// - Returns: the index and the positions whose id was already taken.
    static func build(_ nodes: [NodeSpec]) -> (index: NodeIDIndex, duplicates: [Int]) {
        var index = NodeIDIndex(capacity: nodes.count)
        var duplicates: [Int] = []
        for i in nodes.indices where !index.insert(nodes[i].id, position: i, nodes: nodes) {
            duplicates.append(i)
        }
        return (index, duplicates)
    }

    private init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        hashes = Array(repeating: 0, count: size)
        mask = size - 1
    }

    private static func hash(_ id: String) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        var id = id
        id.withUTF8 { bytes in
            for b in bytes {
                h ^= UInt32(b)
                h &*= 16_777_619
            }
        }
        return h
    }

    private mutating func insert(_ id: String, position: Int, nodes: [NodeSpec]) -> Bool {
        let h = Self.hash(id)
        var slot = Int(h) & mask
        while slots[slot] != 0 {
            if hashes[slot] == h && nodes[Int(slots[slot]) - 1].id == id { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(position + 1)
        hashes[slot] = h
        return true
    }

    /// The position of the node with this id, if any.
    func position(of id: String, in nodes: [NodeSpec]) -> Int? {
        let h = Self.hash(id)
        var slot = Int(h) & mask
        while slots[slot] != 0 {
            if hashes[slot] == h {
                let p = Int(slots[slot]) - 1
                if nodes[p].id == id { return p }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
