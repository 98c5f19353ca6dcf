// Send a template through the in-process sandbox, then run a small campaign through the
// durable outbox. Build the Swift package in bindings-swift/ (see its README section) and
// add this file to an executable target that depends on `Wacrm`.
import Foundation
import Wacrm

@main
struct SendAndSchedule {
    static func main() async throws {
        let sb = try Sandbox(webhookUrl: nil, appSecret: nil)
        let client = try Client(accessToken: sb.accessToken(), baseUrl: sb.baseUrl(), apiVersion: nil)
        let template = #"{"type":"template","content":{"name":"hello_world","language":"en_US","components":[]}}"#
        let sent = try await client.call(op: "send", argsJson: #"{"from":"\#(sb.phoneNumberId())","to":"+12025550100","message":\#(template)}"#)
        print("sent:", sent)
        do {
            _ = try await client.call(op: "send", argsJson: #"{"from":"\#(sb.phoneNumberId())","to":"+12025550100","message":{"type":"template","content":{"name":"nope","language":"en_US","components":[]}}}"#)
        } catch let WacrmError.Template(code, message, graphCode, _, _, _, _, retryable, _) {
            print("refused:", code, graphCode ?? 0, retryable, message)
        }
        let stores = try Stores(url: "memory:")
        let scheduler = try Scheduler(stores: stores, client: client, configJson: #"{"limits":{"mps":40},"policies":{"quiet_hours":null}}"#)
        for i in 0..<20 {
            let item = #"{"idempotency_key":"sale:\#(i)","phone_number_id":"\#(sb.phoneNumberId())","recipient":"+1202555\#(String(format: "%04d", i))","message":\#(template),"category":"utility","lane":"notification","campaign_id":"sale","not_before":0,"event_key":null,"promotion":false,"automated":false}"#
            _ = try await scheduler.call(op: "enqueue", argsJson: item)
        }
        print("round:", try await scheduler.call(op: "run_until_idle", argsJson: "{}"))
        let assignment = try Assignment(stores: stores, configJson: "{}")
        _ = try await assignment.call(op: "upsert_agent", argsJson: #"{"id":"ana","name":"Ana","presence":"online","capacity":5}"#)
        print("assigned:", try await assignment.call(op: "assign", argsJson: #"{"conversation_id":"c1","contact_id":"k1","priority":0,"required_skills":[],"preferred_skills":[],"previous_agent":null,"team":null,"arrived_at":0}"#))
    }
}
