import wacrm
from wacrm import errors


def test_every_core_code_has_a_class() -> None:
    for code in wacrm._native.error_codes():
        assert code in errors._BY_CODE, code


def test_graph_body_maps_to_class_with_fields() -> None:
    body = (
        '{"error":{"message":"(#131056) pair rate limit hit","type":"OAuthException",'
        '"code":131056,"error_data":{"messaging_product":"whatsapp","details":"too many"},'
        '"fbtrace_id":"A4O5"}}'
    ).encode()
    e = errors.from_graph_body(body, 400)
    assert isinstance(e, wacrm.PairRateLimitedError)
    assert isinstance(e, wacrm.RateLimitedError)
    assert e.code == "PAIR_RATE_LIMITED"
    assert e.graph_code == 131056
    assert e.fbtrace_id == "A4O5"
    assert e.graph_details == "too many"
    assert e.retryable is True
    assert e.retry_after == 6.0
    assert e.http_status == 400


def test_auth_is_not_retryable_and_retry_after_header_wins() -> None:
    e = errors.from_graph_body(b'{"error":{"message":"bad token","code":190}}', 401)
    assert isinstance(e, wacrm.AuthError)
    assert e.retryable is False
    t = errors.from_graph_body(b'{"error":{"message":"x","code":130429}}', 429, retry_after=2.5)
    assert isinstance(t, wacrm.RateLimitedError)
    assert t.retry_after == 2.5


def test_non_envelope_is_none() -> None:
    assert errors.from_graph_body(b"<html>bad gateway</html>", 502) is None
