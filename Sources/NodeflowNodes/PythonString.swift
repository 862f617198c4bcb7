import Foundation

/// Python's `str` methods on code points. (Swift's `String` compares canonically equivalent texts
/// as equal and slices by grapheme; Python compares, counts and slices code points.)
enum PythonString {
    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// `str.strip()`, `lstrip()`, `rstrip()`: white space by default, or the scalars `drop` picks.
    static func strip(_ text: String, leading: Bool = true, trailing: Bool = true, _ drop: (Unicode.Scalar) -> Bool = PythonText.isSpace) -> String {
        let s = Array(text.unicodeScalars)
        var start = 0, end = s.count
        if leading { while start < end, drop(s[start]) { start += 1 } }
        if trailing { while end > start, drop(s[end - 1]) { end -= 1 } }
        return string(s[start..<end])
    }

    /// `str.upper()`: each code point's full mapping (ß becomes SS).
    static func upper(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars { out.append(contentsOf: c.properties.uppercaseMapping.unicodeScalars) }
        return String(out)
    }

    /// `str.lower()`: each code point's full mapping, Σ becoming ς at the end of a word.
    static func lower(_ text: String) -> String {
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for i in s.indices { appendLower(s, i, to: &out) }
        return String(out)
    }

    /// `str.title()`: a code point after a cased one is lowered, any other is title-cased.
    static func title(_ text: String) -> String {
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var previousIsCased = false
        for i in s.indices {
            if previousIsCased { appendLower(s, i, to: &out) } else { out.append(contentsOf: s[i].properties.titlecaseMapping.unicodeScalars) }
            previousIsCased = s[i].properties.isCased
        }
        return String(out)
    }

    /// `str.capitalize()`: the first code point title-cased, the rest lowered.
    static func capitalize(_ text: String) -> String {
        let s = Array(text.unicodeScalars)
        guard let first = s.first else { return "" }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: first.properties.titlecaseMapping.unicodeScalars)
        for i in s.indices.dropFirst() { appendLower(s, i, to: &out) }
        return String(out)
    }

    private static func appendLower(_ s: [Unicode.Scalar], _ i: Int, to out: inout String.UnicodeScalarView) {
        guard s[i] == "\u{03A3}" else {
            out.append(contentsOf: s[i].properties.lowercaseMapping.unicodeScalars)
            return
        }
        let sigma: Unicode.Scalar = isFinalSigma(s, i) ? "\u{03C2}" : "\u{03C3}"
        out.append(sigma)
    }

    /// CPython's Final_Sigma test: a cased letter before (case-ignorable ones skipped), none after.
    private static func isFinalSigma(_ s: [Unicode.Scalar], _ i: Int) -> Bool {
        var j = i - 1
        while j >= 0, s[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0, s[j].properties.isCased else { return false }
        j = i + 1
        while j < s.count, s[j].properties.isCaseIgnorable { j += 1 }
        return j == s.count || !s[j].properties.isCased
    }

    /// `unicodedata.normalize("NFKD", text)`.
    static func nfkd(_ text: String) -> String {
        text.decomposedStringWithCompatibilityMapping
    }

    /// Python's `\w` for text: letters, characters with a numeric value, and `_`.
    static func isWord(_ c: Unicode.Scalar) -> Bool {
        if c == "_" { return true }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return c.properties.numericType != nil
        }
    }

    static func hasPrefix(_ text: [Unicode.Scalar], _ prefix: [Unicode.Scalar]) -> Bool {
        text.count >= prefix.count && text[..<prefix.count].elementsEqual(prefix)
    }

    static func hasSuffix(_ text: [Unicode.Scalar], _ suffix: [Unicode.Scalar]) -> Bool {
        text.count >= suffix.count && text[(text.count - suffix.count)...].elementsEqual(suffix)
    }

    /// `str.find(needle, start, end)` (or `rfind` when `last`): the index, or -1. Negative indices
    /// count from the end; a start past the end finds nothing, not even the empty text.
    static func find(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar], start: Int = 0, end: Int = .max, last: Bool = false) -> Int {
        let n = haystack.count
        let from = start < 0 ? max(0, start + n) : start
        let to = end < 0 ? max(0, end + n) : min(end, n)
        guard from <= to, to - from >= needle.count else { return -1 }
        if needle.isEmpty { return last ? to : from }
        if last {
            let reversedHaystack = Array(haystack[from..<to].reversed())
            guard let r = firstIndex(of: Array(needle.reversed()), in: reversedHaystack) else { return -1 }
            return to - r - needle.count
        }
        return firstIndex(of: needle, in: Array(haystack[from..<to])).map { from + $0 } ?? -1
    }

    /// Where `needle` (not empty) first occurs in `haystack` (Knuth–Morris–Pratt: linear time).
    private static func firstIndex(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
        let m = needle.count
        var fail = [Int](repeating: 0, count: m)
        var k = 0
        for i in 1..<max(1, m) {
            while k > 0, needle[i] != needle[k] { k = fail[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            fail[i] = k
        }
        k = 0
        for (i, c) in haystack.enumerated() {
            while k > 0, c != needle[k] { k = fail[k - 1] }
            if c == needle[k] { k += 1 }
            if k == m { return i - m + 1 }
        }
        return nil
    }

    /// Python's line boundaries (`str.splitlines`).
    static func isLineBreak(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }

    /// `str.splitlines()`: "\r\n" is one break; no empty line after a final break.
    static func lines(_ s: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var lines: [ArraySlice<Unicode.Scalar>] = []
        var start = 0, i = 0
        while i < s.count {
            guard isLineBreak(s[i]) else { i += 1; continue }
            lines.append(s[start..<i])
            if s[i] == "\r", i + 1 < s.count, s[i + 1] == "\n" { i += 1 }
            i += 1
            start = i
        }
        if start < s.count { lines.append(s[start...]) }
        return lines
    }

    /// Python's `int(text)` for a str: white space around, an optional sign, decimal digits of any
    /// script with single underscores between them. `nil` where Python raises ValueError; beyond
    /// Int's range (Python's ints have none) the nearest Int.
    static func parseInt(_ text: String) -> Int? {
        let s = Array(strip(text).unicodeScalars)
        var i = 0
        var negative = false
        if i < s.count, s[i] == "+" || s[i] == "-" {
            negative = s[i] == "-"
            i += 1
        }
        var magnitude = 0
        var saturated = false
        var lastWasDigit = false
        guard i < s.count else { return nil }
        while i < s.count {
            let c = s[i]
            i += 1
            if c == "_" {
                guard lastWasDigit else { return nil }
                lastWasDigit = false
                continue
            }
            guard c.properties.numericType == .decimal, let d = c.properties.numericValue, d >= 0, d <= 9 else { return nil }
            lastWasDigit = true
            let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int(d))
            if o1 || o2 { saturated = true } else { magnitude = plus }
        }
        guard lastWasDigit else { return nil }
        if saturated { return negative ? .min : .max }
        return negative ? -magnitude : magnitude
    }
}
