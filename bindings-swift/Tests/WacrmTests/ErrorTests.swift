import XCTest
@testable import Wacrm

final class ErrorTests: XCTestCase {
    func testEveryCodeIsKnown() {
        XCTAssertEqual(errorCodes().count, 15)
    }

    func testPairRateLimitCarriesDetails() {
        let body = #"{"error":{"message":"(#131056) pair rate limit hit","code":131056,"fbtrace_id":"A4O5"}}"#
        XCTAssertThrowsError(try raiseGraphError(body: body, httpStatus: 400)) { error in
            guard case let WacrmError.PairRateLimited(code, _, graphCode, _, _, fbtraceId, _, retryable, retryAfterMs) = error else {
                return XCTFail("wrong case: \(error)")
            }
            XCTAssertEqual(code, "PAIR_RATE_LIMITED")
            XCTAssertEqual(graphCode, 131056)
            XCTAssertEqual(fbtraceId, "A4O5")
            XCTAssertTrue(retryable)
            XCTAssertEqual(retryAfterMs, 6000)
        }
    }

    func testDetailsRecord() {
        let details = graphErrorDetails(body: #"{"error":{"message":"x","code":132001}}"#, httpStatus: 400)
        XCTAssertEqual(details?.code, "TEMPLATE")
        XCTAssertEqual(details?.retryable, false)
    }
}
