import Foundation
import XCTest
@testable import Wacrm

private let hello = OutboundMessage.template(Template(name: "hello_world", language: "en_US", components: []))

private final class Collect: EventSink, @unchecked Sendable {
    var events: [WebhookEvent] = []
    func onEvent(event: WebhookEvent) {
        events.append(event)
    }
}

final class EngineTests: XCTestCase {
    func testSendThroughTheSandboxAndTypedAsyncErrors() async throws {
        let sb = try Sandbox(options: SandboxOptions())
        let client = try Client(accessToken: sb.accessToken(), baseUrl: sb.baseUrl())
        let answer = try await client.send(from: sb.phoneNumberId(), to: "+15550001111", message: hello)
        XCTAssertTrue(answer.messages[0].id.hasPrefix("wamid."))
        let nope = OutboundMessage.template(Template(name: "nope", language: "en_US", components: []))
        do {
            _ = try await client.send(from: sb.phoneNumberId(), to: "+15550001111", message: nope)
            XCTFail("expected a template error")
        } catch let WacrmError.Template(_, _, graphCode, _, _, _, _, retryable, _) {
            XCTAssertEqual(graphCode, 132001)
            XCTAssertFalse(retryable)
        }
        XCTAssertEqual(sb.ledger().map(\.msgType), ["template"])
    }

    func testEveryMessageTypeIsTyped() async throws {
        let sb = try Sandbox(options: SandboxOptions())
        let client = try Client(accessToken: sb.accessToken(), baseUrl: sb.baseUrl())
        let messages: [OutboundMessage] = [
            .text(body: "héllo", previewUrl: false),
            .image(Media(source: .link("https://x.test/a.png"), caption: "a")),
            .location(Location(latitude: 38.7, longitude: -9.1, name: "Lisboa")),
            .contacts([ContactCard(name: ContactName(formattedName: "Ana Lima"))]),
            .reaction(messageId: "wamid.X", emoji: "👍"),
            .interactive(.buttons(header: .text("Order 42"), body: "Confirm?", footer: nil,
                                  buttons: [ReplyButton(id: "yes", title: "Yes")])),
            .interactive(.list(header: nil, body: "Pick", footer: nil, button: "Menu",
                               sections: [ListSection(rows: [ListRow(id: "r1", title: "One")])])),
        ]
        for m in messages {
            _ = try await client.send(from: sb.phoneNumberId(), to: "+15550001111", message: m)
        }
        XCTAssertEqual(sb.ledger().map(\.msgType),
                       ["text", "image", "location", "contacts", "reaction", "interactive", "interactive"])
    }

    func testSchedulerSendsOncePerKey() async throws {
        let sb = try Sandbox(options: SandboxOptions())
        let stores = try Stores(url: "memory:")
        let client = try Client(accessToken: sb.accessToken(), baseUrl: sb.baseUrl())
        var policies = policyConfigDefault()
        policies.quietHours = nil
        let scheduler = try Scheduler(stores: stores, client: client, settings: SchedulerSettings(policies: policies))
        let item = OutgoingMessage(idempotencyKey: "k1", phoneNumberId: sb.phoneNumberId(), recipient: "+15550001111",
                                   message: hello, category: .utility, lane: .notification)
        let first = try await scheduler.enqueue(message: item)
        let second = try await scheduler.enqueue(message: item)
        XCTAssertEqual(first, .new)
        XCTAssertEqual(second, .duplicate)
        let report = try await scheduler.runUntilIdle(horizonMs: 0, timeoutMs: 10_000)
        XCTAssertEqual(report.sent, 1)
        let stats = try await stores.outboxStats()
        XCTAssertEqual(stats.sent, 1)
    }

    func testContactRoundTripKeepsTypedAttributes() async throws {
        let stores = try Stores(url: "memory:")
        let attrs: [String: JsonValue] = [
            "plan": .text(value: "gold"),
            "visits": .int(value: 3),
            "history": .array(items: [.object(fields: ["sku": .text(value: "A-1")])]),
        ]
        _ = try await stores.contactUpsert(contact: Contact(id: "k1", e164: "+351912345678", tags: ["vip"], attributes: attrs))
        let got = try await stores.contactGet(id: "k1")
        XCTAssertEqual(got?.attributes, attrs)
        XCTAssertEqual(got?.tags, ["vip"])
    }

    func testAssignmentOutcomes() async throws {
        let stores = try Stores(url: "memory:")
        let assignment = try Assignment(stores: stores, settings: AssignmentSettings(hardCap: 1))
        _ = try await assignment.upsertAgent(agent: Agent(id: "ana", name: "Ana", presence: .online, capacity: 5, skills: [], teams: []))
        let outcome = try await assignment.assign(request: Request(conversationId: "v1", contactId: "c1", requiredSkills: [], preferredSkills: []))
        guard case let .assigned(conversationId, agentId, _) = outcome else { return XCTFail("not assigned: \(outcome)") }
        XCTAssertEqual(conversationId, "v1")
        XCTAssertEqual(agentId, "ana")
    }

    func testWebhookEventsAreTypedCases() throws {
        let body = Data(#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"9","display_phone_number":"1"},"statuses":[{"id":"wamid.1","status":"read","timestamp":"1","recipient_id":"1"}]}}]}]}"#.utf8)
        let events = try webhookParse(body: body)
        guard case let .status(event) = events.first else { return XCTFail("not a status: \(events)") }
        XCTAssertEqual(event.id, "wamid.1")
        XCTAssertEqual(event.status, .read)
        XCTAssertTrue(event.raw.contains("wamid.1"))
        let sink = Collect()
        // An unsigned call must be refused with a typed error, before any event.
        XCTAssertThrowsError(try webhookDispatch(appSecret: "s", body: body, signature: nil, sink: sink)) { error in
            guard case WacrmError.Webhook = error else { return XCTFail("wrong case: \(error)") }
        }
        XCTAssertTrue(sink.events.isEmpty)
    }
}
