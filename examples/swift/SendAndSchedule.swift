// Send a template through the in-process sandbox, then run a small campaign through the
// durable outbox and assign a conversation. Build the Swift package in bindings-swift/
// (see its README section) and add this file to an executable target that depends on `Wacrm`.
import Foundation
import Wacrm

@main
struct SendAndSchedule {
    static func main() async throws {
        let sb = try Sandbox(options: SandboxOptions())
        let client = try Client(accessToken: sb.accessToken(), baseUrl: sb.baseUrl())
        let hello = OutboundMessage.template(Template(name: "hello_world", language: "en_US"))
        let sent = try await client.send(from: sb.phoneNumberId(), to: "+12025550100", message: hello)
        print("sent:", sent.messages.map(\.id))
        do {
            let nope = OutboundMessage.template(Template(name: "nope", language: "en_US"))
            _ = try await client.send(from: sb.phoneNumberId(), to: "+12025550100", message: nope)
        } catch let WacrmError.Template(code, message, graphCode, _, _, _, _, retryable, _) {
            print("refused:", code, graphCode ?? 0, retryable, message)
        }

        let stores = try Stores(url: "memory:")
        var limits = limitConfigDefault()
        limits.mps = 40
        var policies = policyConfigDefault()
        policies.quietHours = nil
        let scheduler = try Scheduler(stores: stores, client: client,
                                      settings: SchedulerSettings(limits: limits, policies: policies))
        for i in 0..<20 {
            let item = OutgoingMessage(idempotencyKey: "sale:\(i)", phoneNumberId: sb.phoneNumberId(),
                                       recipient: "+1202555\(String(format: "%04d", i))", message: hello,
                                       category: .utility, lane: .notification, campaignId: "sale")
            _ = try await scheduler.enqueue(message: item)
        }
        let round = try await scheduler.runUntilIdle()
        print("round: sent \(round.sent), deferred \(round.deferred), parked \(round.parked)")

        let assignment = try Assignment(stores: stores, settings: AssignmentSettings())
        _ = try await assignment.upsertAgent(agent: Agent(id: "ana", name: "Ana", presence: .online, capacity: 5,
                                                          skills: [], teams: []))
        let outcome = try await assignment.assign(request: Request(conversationId: "c1", contactId: "k1",
                                                                   requiredSkills: [], preferredSkills: []))
        if case let .assigned(conversation, agent, reason) = outcome {
            print("assigned:", conversation, "to", agent, "by", reason.strategy)
        }
    }
}
