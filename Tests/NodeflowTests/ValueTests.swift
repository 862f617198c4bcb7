import Nodeflow
import Testing

@Suite("Values")
struct ValueTests {
    @Test("JSON keeps ints and floats apart")
    func intAndFloat() throws {
        let v = try Value(json: #"[1, 1.0, -2, 3e2, 1.5, 9223372036854775807, 99999999999999999999]"#)
        #expect(v == [1, 1.0, -2, 300.0, 1.5, .int(Int.max), .float(1e20)])
        #expect(Value.int(3) != Value.float(3))
        #expect(Value.list([1, 1.0]).jsonString() == "[1,1.0]")
    }

    @Test("floats print as Python prints them", arguments: [
        (0.1, "0.1"), (1e16, "1e+16"), (1e-5, "1e-05"), (123.0, "123.0"), (-0.5, "-0.5"),
    ])
    func floatRepr(value: Double, text: String) {
        #expect(Value.float(value).jsonString() == text)
    }

    @Test("strings with escapes and unicode round-trip")
    func strings() throws {
        let text = #""tab\t quote\" emoji 😀 \u00e9 \ud83d\ude00 nl\n""#
        let v = try Value(json: text)
        #expect(v == .string("tab\t quote\" emoji 😀 é 😀 nl\n"))
        #expect(try Value(json: v.jsonString()) == v)
    }

    @Test("dicts keep order but compare without it")
    func dictOrder() throws {
        let a = try Value(json: #"{"b":1,"a":2}"#)
        let b = try Value(json: #"{"a":2,"b":1}"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.jsonString() == #"{"b":1,"a":2}"#)
    }

    @Test("typed conversion follows pydantic's lax rules")
    func conversions() {
        #expect(Double(value: .int(2)) == 2.0)
        #expect(Int(value: .float(3.0)) == 3)
        #expect(Int(value: .float(3.5)) == nil)
        #expect(String(value: .int(1)) == nil)
        #expect([Int](value: [1, 2]) == [1, 2])
        #expect(PropertyType.float.coerce(.int(2)) == .int(2))  // as nodetool: an int stays an int
        #expect(PropertyType.int.coerce(.float(2)) == .int(2))
        #expect(PropertyType.number.coerce(.int(2)) == .int(2))
        #expect(PropertyType.int.coerce(.string("x")) == nil)
    }

    @Test("Python str and repr")
    func python() {
        #expect(Value.list([1, 2.0, "a", nil, true]).pythonStr == "[1, 2.0, 'a', None, True]")
        #expect(Value.dict(["k": "it's"]).pythonRepr == #"{'k': "it's"}"#)
        #expect(Value.pythonCompare(1, 1.5) == .ascending)
        #expect(Value.pythonCompare("b", "a") == .descending)
        #expect(Value.pythonCompare("a", 1) == nil)
    }

    @Test("JSON syntax errors give line and column")
    func syntaxErrors() {
        let error = #expect(throws: JSONSyntaxError.self) { try Value(json: "{\"a\": 1,\n \"b\" 2}") }
        #expect(error?.line == 2)
        #expect(error?.column == 6)
    }
}
