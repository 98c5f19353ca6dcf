"""Automation through the binding: a rules file refused with its line and
reason; a message that fires a rule with a reply and a tag, the tag written to
the contact in the stores; cooldowns kept across calls (and across engines over
a SQLite state store); handoff, the sensitive-word block, tags and segments."""

import asyncio
import pathlib

import pytest

from wacrm import ConfigError, Stores, ValidationError
from wacrm.automation import (
    AsyncAutomation,
    Automation,
    AutomationMessage,
    AutomationSettings,
    Block,
    Handoff,
    Reply,
    Rules,
    SetAttribute,
    Tag,
    Timer,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = (ROOT / "tests/fixtures/automation_rules.toml").read_text()
T0 = 1764662400000  # 2025-12-02 08:00 UTC
ANA = "5511999990001"


def test_a_bad_rules_file_is_refused_with_its_line_and_reason() -> None:
    bad = RULES.replace('cooldown = "30m"', 'cooldown = "3x"')
    problem = Rules.check(bad)
    assert problem is not None
    assert problem.line == 10 and "3x" in problem.reason
    assert Rules.check(RULES) is None
    with pytest.raises(ConfigError, match="line 10"):
        Rules.parse(bad)
    info = Rules.parse(RULES).info()
    assert info.rules == ["shipping", "discount"]
    assert info.sensitive_words == ["password"]


def test_a_message_fires_a_reply_and_a_tag_written_to_the_contact() -> None:
    st = Stores("memory:")
    auto = Automation(Rules.parse(RULES), st)
    ev = auto.evaluate(AutomationMessage("How much is shipping?", ANA, at=T0, name="Ana Silva"))
    assert ev.rules == ["shipping"]
    assert Reply(rule="shipping", text="Hi Ana, shipping takes 2 days.") in ev.actions
    assert Tag(tag="asked-shipping") in ev.actions
    assert "asked-shipping" in ev.tags and not ev.handoff and not ev.blocked
    assert ev.replies() == ["Hi Ana, shipping takes 2 days."]
    stored = st.contact_get(ANA)
    assert stored is not None and "asked-shipping" in stored.tags
    assert "asked-shipping" in auto.contact_tags(ANA)

    # The rule's 30 min cooldown holds across calls; 31 minutes later it fires again.
    again = auto.evaluate(AutomationMessage("shipping?", ANA, at=T0 + 60_000))
    assert again.rules == [] and [s.rule for s in again.skipped] == ["shipping"]
    later = auto.evaluate(AutomationMessage("shipping?", ANA, at=T0 + 31 * 60_000))
    assert later.rules == ["shipping"]

    # min_count = 2: the second "discount" fires, tagging and setting an attribute.
    assert auto.evaluate(AutomationMessage("any discount?", ANA, at=T0 + 40 * 60_000)).rules == []
    d = auto.evaluate(AutomationMessage("discount please", ANA, at=T0 + 41 * 60_000))
    assert d.rules == ["discount"]
    assert SetAttribute(attr="interest", value="discount") in d.actions
    c = st.contact_get(ANA)
    assert c is not None and "price-sensitive" in c.tags and c.attributes["interest"] == "discount"
    assert auto.matching_rules("frete e desconto") == ["shipping", "discount"]


def test_handoff_block_tags_and_segments() -> None:
    auto = Automation(Rules.parse(RULES))
    h = auto.evaluate(AutomationMessage("I want to talk to a person", "5511999990009", at=T0))
    assert h.handoff and any(isinstance(a, Handoff) for a in h.actions)
    quiet = auto.evaluate(AutomationMessage("shipping?", "5511999990009", at=T0 + 60_000))
    assert quiet.rules == [] and quiet.ignored is not None and "paused" in quiet.ignored

    out = auto.evaluate(AutomationMessage("your password is 1234", "5511999990009", at=T0, direction="out"))
    assert out.blocked and isinstance(out.actions[0], Block) and "password" in out.actions[0].reason

    assert auto.set_contact_tags("5511999990009", ["vip", "b2b"]) == ["b2b", "vip"]
    assert auto.contact_tags("5511999990009") == ["b2b", "vip"]
    assert auto.contact_segments("5511999990009") == ["follow-up-weekly"]
    # 61 silent days later the scheduled pass moves the contact to `dormant`.
    changes = auto.lifecycle_pass(T0 + 61 * 86_400_000)
    assert [c.contact for c in changes] == ["5511999990009"]
    assert Tag(tag="dormant") in changes[0].actions
    assert auto.contact_segments("5511999990009") == ["dormant"]
    assert "dormant" in auto.contact_tags("5511999990009")

    with pytest.raises(ValidationError):
        auto.evaluate(AutomationMessage("hi", "5511999990009", direction="sideways"))  # type: ignore[arg-type]


def test_state_survives_a_new_engine_over_a_sqlite_state_store(tmp_path: pathlib.Path) -> None:
    settings = AutomationSettings(state_url=f"sqlite://{tmp_path / 'state.db'}")
    first = Automation(Rules.parse(RULES), settings=settings)
    assert first.evaluate(AutomationMessage("shipping?", ANA, at=T0)).rules == ["shipping"]
    second = Automation(Rules.parse(RULES), settings=settings)
    assert second.evaluate(AutomationMessage("shipping?", ANA, at=T0 + 60_000)).rules == []


def test_async_automation_has_the_same_operations() -> None:
    async def main() -> None:
        auto = AsyncAutomation(Rules.parse(RULES))
        ev = await auto.evaluate(AutomationMessage("配送はいつ？", ANA, at=T0))
        assert ev.rules == ["shipping"] and ev.replies() == ["Hi there, shipping takes 2 days."]
        assert await auto.contact_tags(ANA) == sorted(ev.tags)

    asyncio.run(main())


def test_no_reply_timers_arm_list_cancel_and_fire() -> None:
    st = Stores("memory:")
    auto = Automation(Rules.parse(RULES), st)
    assert Rules.parse(RULES).info().timers == ["nudge"]
    auto.evaluate(AutomationMessage("hello", ANA, at=T0, name="Ana Silva"))
    # The business writes: the rules' timer is armed; the contact answers: it is cancelled.
    auto.evaluate(AutomationMessage("How can we help?", ANA, at=T0 + 1_000, direction="out"))
    assert auto.timers(ANA) == [Timer(timer_id="nudge", contact=ANA, conversation=ANA, due_at=T0 + 3_601_000)]
    auto.evaluate(AutomationMessage("thanks", ANA, at=T0 + 2_000))
    assert auto.timers() == []

    t = auto.arm_timer("nudge", ANA, at=T0)
    assert t.due_at == T0 + 3_600_000
    assert auto.run_due_timers(T0 + 60_000) == []
    (fired,) = auto.run_due_timers(T0 + 3_600_000)
    assert fired.timer == t
    assert fired.evaluation.replies() == ["Still there, Ana?"]
    stored = st.contact_get(ANA)
    assert stored is not None and "nudged" in stored.tags

    auto.arm_timer("nudge", ANA, at=T0)
    assert auto.cancel_timers(ANA) == 1
    with pytest.raises(ValidationError):
        auto.arm_timer("missing", ANA)
