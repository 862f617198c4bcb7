import Nodeflow
import NodeflowNodes
import Testing

/// FormatText's template language beyond the conformance cases: its errors, and hostile templates.
@Suite("FormatText")
struct FormatTextTests {
    func render(_ template: String, _ values: [String: Value] = [:]) async throws -> Value {
        var data: [String: Value] = ["template": .string(template)]
        for (k, v) in values { data[k] = v }
        let graph = Graph(
            nodes: [
                NodeSpec(id: "fmt", type: "nodetool.text.FormatText", data: .init(uniqueKeysWithValues: data.sorted { $0.key < $1.key })),
                NodeSpec(id: "out", type: "nodetool.output.StringOutput", data: ["name": "text"]),
            ],
            edges: [EdgeSpec(source: "fmt", target: "out", targetHandle: "value")])
        let runner = WorkflowRunner(jobID: "f", configuration: .init(registry: .standard))
        let context = ProcessingContext(limits: ValueLimits(maxListCount: 1_000_000, maxStringBytes: 1 << 20))
        async let drained: Void = { for await _ in context.messages {} }()
        let outputs: [String: Value]
        do {
            outputs = Dictionary(uniqueKeysWithValues: try await runner.run(RunJobRequest(graph: graph), context: context).map { ($0.key, $0.value) })
        } catch {
            await drained
            throw error
        }
        await drained
        return try #require(outputs["text"])
    }

    @Test("templates that do not parse fail with 'Template error' and what is wrong", arguments: [
        ("{{ name", "never closed"), ("{% for x in %}{% endfor %}", "must read 'for NAME in EXPRESSION'"), ("{% for x in xs %}", "missing '{% endfor %}'"),
        ("{{ a|nope }}", "no filter named 'nope'"), ("{% while %}", "unknown tag"), ("{{ 'open }}", "never closed"),
        (String(repeating: "(", count: 10_000) + "x" + String(repeating: ")", count: 10_000), "nested more than 64"),
        (String(repeating: "{% if x %}", count: 10_000), "nested more than 64"),
        ("{{ x" + String(repeating: "|trim", count: 200_000) + " }}", "more than 256 operations"),
        ("{{ x" + String(repeating: " and x", count: 200_000) + " }}", "more than 256 operations"),
        ("{{ " + String(repeating: "not ", count: 100_000) + "x }}", "nested more than 64"),
    ])
    func errors(template: String, expected: String) async throws {
        do {
            let value = try await render(template.hasPrefix("(") ? "{{ \(template) }}" : template)
            Issue.record("rendered \(value.jsonString().prefix(80))")
        } catch let failure as NodeFailure {
            #expect(failure.description.contains("Template error"))
            #expect(failure.description.contains(expected), "\(failure.description)")
        }
    }

    @Test("a loop that would make more text than the limit stops with the limit's error")
    func runaway() async throws {
        let big = Value.list((0..<5_000).map { .int($0) })
        await #expect(throws: NodeFailure.self) {
            _ = try await render("{% for a in xs %}{% for b in xs %}{{ a }}-{{ b }}, {% endfor %}{% endfor %}" + String(repeating: "x", count: 1), ["xs": big])
        }
    }

    @Test("names match in any case; whitespace control trims; undefined prints nothing")
    func basics() async throws {
        #expect(try await render("{{ Who }}|{{WHO}}|{who}", ["who": "Ada"]) == "Ada|Ada|Ada")
        #expect(try await render("a  {%- if true -%}  b  {%- endif %}") == "ab")
        #expect(try await render("[{{ nothing }}][{{ nothing|default('x') }}]") == "[][x]")
        #expect(try await render("{{ x|truncate(9223372036854775807) }}|{{ x|truncate(3, false, '', 9223372036854775807) }}", ["x": "hello"]) == "hello|hello")
        #expect(try await render("{% for a in xs %}{% for b in ys %}{% endfor %}{{ loop.index }},{% endfor %}[{{ loop }}]", ["xs": [1, 2], "ys": [1, 2, 3]]) == "1,2,[]")
        #expect(try await render(#"{{ "a\nb\t'c'\\" }}"#) == "a\nb\t'c'\\")
        // An operator Jinja has but this subset does not is an error, not silence.
        await #expect(throws: NodeFailure.self) { _ = try await render("{{ n * 2 }}", ["n": 1]) }
    }
}
