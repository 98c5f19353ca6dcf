import Foundation
import XCTest
@testable import Wacrm

private let template = #"{"type":"template","content":{"name":"hello_world","language":"en_US","components":[]}}"#

private final class Collect: EventSink, @unchecked Sendable {
    var kinds: [String] = []
    func onEvent(eventJson: String) {
        let obj = try? JSONSerialization.jsonObject(with: Data(eventJson.utf8)) as? [String: Any]
        kinds.append(obj?["kind"] as? String ?? "?")
    }
}

final class EngineTests: XCTestCase {
    func testSendThroughTheSandboxAndTypedAsyncErrors() async throws {
        let sb = try Sandbox(webhookUrl: nil, appSecret: nil)
        let client = try Client(accessToken: sb.accessToken(), baseUrl: sb.baseUrl(), apiVersion: nil)
        let args = #"{"from":"\#(sb.phoneNumberId())","to":"+15550001111","message":\#(template)}"#
        let answer = try await client.call(op: "send", argsJson: args)
        XCTAssertTrue(answer.contains("wamid."))
        do {
            _ = try await client.call(op: "send", argsJson: args.replacingOccurrences(of: "hello_world", with: "nope"))
            XCTFail("expected a template error")
        } catch let WacrmError.Template(_, _, graphCode, _, _, _, _, retryable, _) {
            XCTAssertEqual(graphCode, 132001)
            XCTAssertFalse(retryable)
        }
    }

    func testSchedulerSendsOncePerKey() async throws {
        let sb = try Sandbox(webhookUrl: nil, appSecret: nil)
        let stores = try Stores(url: "memory:")
        let client = try Client(accessToken: sb.accessToken(), baseUrl: sb.baseUrl(), apiVersion: nil)
        let scheduler = try Scheduler(stores: stores, client: client, configJson: #"{"policies":{"quiet_hours":null}}"#)
        let item = #"{"idempotency_key":"k1","phone_number_id":"\#(sb.phoneNumberId())","recipient":"+15550001111","message":\#(template),"category":"utility","lane":"notification","campaign_id":null,"not_before":0,"event_key":null,"promotion":false,"automated":false}"#
        let first = try await scheduler.call(op: "enqueue", argsJson: item)
        let second = try await scheduler.call(op: "enqueue", argsJson: item)
        XCTAssertEqual(first, #""new""#)
        XCTAssertEqual(second, #""duplicate""#)
        let report = try await scheduler.call(op: "run_until_idle", argsJson: #"{"timeout_ms":10000}"#)
        XCTAssertTrue(report.contains(#""sent":1"#))
    }

    func testForeignEventSink() throws {
        let body = Data(#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"9","display_phone_number":"1"},"statuses":[{"id":"wamid.1","status":"read","timestamp":"1","recipient_id":"1"}]}}]}]}"#.utf8)
        let sink = Collect()
        // Signature computed by the test with CommonCrypto-free HMAC is out of scope here:
        // an unsigned call must be refused with a typed error.
        XCTAssertThrowsError(try webhookDispatch(appSecret: "s", body: body, signature: nil, sink: sink)) { error in
            guard case WacrmError.Webhook = error else { return XCTFail("wrong case: \(error)") }
        }
        XCTAssertEqual(sink.kinds, [])
    }
}
