import pytest

import wacrm_swift as w


def test_error_codes() -> None:
    assert len(w.error_codes()) == 15
    assert "PAIR_RATE_LIMITED" in w.error_codes()
    assert "FORBIDDEN" in w.error_codes()


def test_typed_error_variant_carries_fields() -> None:
    body = '{"error":{"message":"(#131056) pair rate limit hit","code":131056,"fbtrace_id":"A4O5"}}'
    with pytest.raises(w.WacrmError.PairRateLimited) as info:
        w.raise_graph_error(body, 400)
    e = info.value
    assert e.code == "PAIR_RATE_LIMITED"
    assert e.graph_code == 131056
    assert e.fbtrace_id == "A4O5"
    assert e.retryable is True
    assert e.retry_after_ms == 6000


def test_each_kind_has_its_own_case() -> None:
    cases = {name for name in dir(w.WacrmError) if not name.startswith("_") and isinstance(getattr(w.WacrmError, name), type)}
    expected = {"".join(p.capitalize() for p in c.lower().split("_")) for c in w.error_codes()}
    assert expected <= cases, expected - cases


def test_catch_by_base_class() -> None:
    with pytest.raises(w.WacrmError):
        w.raise_graph_error('{"error":{"message":"bad token","code":190}}', 401)


def test_details_record() -> None:
    d = w.graph_error_details('{"error":{"message":"x","code":132001}}', 400)
    assert isinstance(d, w.ErrorDetails)
    assert d.code == "TEMPLATE" and d.retryable is False and d.graph_code == 132001 and d.http_status == 400
    assert w.graph_error_details("<html>", 502) is None
