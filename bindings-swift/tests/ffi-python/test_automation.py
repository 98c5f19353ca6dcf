"""Automation through the Swift FFI: a rules file refused with its line and
reason, a message that fires a reply and a tag written to the contact, the
cooldown kept across calls, handoff, the sensitive-word block, tags and
segments, and actions as the `ActionOut` enum."""

import pytest

import wacrm_swift as w
from conftest import ROOT, run

RULES = (ROOT / "tests/fixtures/automation_rules.toml").read_text()
T0 = 1764662400000  # 2025-12-02 08:00 UTC
ANA = "5511999990001"


def msg(text: str, wa_id: str, at: int, **kw: object) -> w.AutomationMessage:
    return w.AutomationMessage(text=text, wa_id=wa_id, at=at, **kw)


def test_a_bad_rules_file_is_refused_with_its_line_and_reason() -> None:
    bad = RULES.replace('cooldown = "30m"', 'cooldown = "3x"')
    problem = w.rules_check(bad)
    assert problem is not None and problem.line == 10 and "3x" in problem.reason
    assert w.rules_check(RULES) is None
    with pytest.raises(w.WacrmError.Config):
        w.Rules.parse(bad)
    assert w.Rules.parse(RULES).info().rules == ["shipping", "discount"]


def test_a_message_fires_a_reply_and_a_tag_and_the_cooldown_holds() -> None:
    async def main() -> None:
        st = w.Stores("memory:")
        auto = w.Automation(w.Rules.parse(RULES), st)
        ev = await auto.evaluate(msg("How much is shipping?", ANA, T0, name="Ana Silva"))
        assert ev.rules == ["shipping"]
        assert w.ActionOut.REPLY(rule="shipping", text="Hi Ana, shipping takes 2 days.") in ev.actions
        assert w.ActionOut.TAG(tag="asked-shipping") in ev.actions
        assert "asked-shipping" in ev.tags and not ev.handoff
        stored = await st.contact_get(ANA)
        assert stored is not None and "asked-shipping" in stored.tags
        again = await auto.evaluate(msg("shipping?", ANA, T0 + 60_000))
        assert again.rules == [] and [s.rule for s in again.skipped] == ["shipping"]
        assert (await auto.evaluate(msg("shipping?", ANA, T0 + 31 * 60_000))).rules == ["shipping"]
        assert auto.matching_rules("frete e desconto") == ["shipping", "discount"]

    run(main())


def test_handoff_block_tags_and_segments() -> None:
    async def main() -> None:
        auto = w.Automation(w.Rules.parse(RULES), None, None)
        who = "5511999990009"
        h = await auto.evaluate(msg("I want to talk to a person", who, T0))
        assert h.handoff and any(a.is_HANDOFF() for a in h.actions)
        paused = [a for a in h.actions if a.is_PAUSE_AUTOMATION()]
        assert paused and paused[0].until.startswith("2025-12-02T20:00:00")
        out = await auto.evaluate(msg("your password is 1234", who, T0, direction="out"))
        assert out.blocked and out.actions[0].is_BLOCK() and "password" in out.actions[0].reason
        assert await auto.set_contact_tags(who, ["vip", "b2b"]) == ["b2b", "vip"]
        assert await auto.contact_segments(who) == ["follow-up-weekly"]
        changes = await auto.lifecycle_pass(T0 + 61 * 86_400_000)
        assert [c.contact for c in changes] == [who]
        assert await auto.contact_segments(who) == ["dormant"]
        with pytest.raises(w.WacrmError.Validation):
            await auto.evaluate(msg("hi", who, T0, direction="sideways"))

    run(main())


def test_no_reply_timers_arm_list_cancel_and_fire() -> None:
    async def main() -> None:
        st = w.Stores("memory:")
        rules = w.Rules.parse(RULES)
        assert rules.info().timers == ["nudge"]
        auto = w.Automation(rules, st)
        await auto.evaluate(msg("hello", ANA, T0, name="Ana Silva"))
        await auto.evaluate(msg("How can we help?", ANA, T0 + 1_000, direction="out"))
        armed = await auto.timers(ANA)
        assert armed == [w.Timer(timer_id="nudge", contact=ANA, conversation=ANA, due_at=T0 + 3_601_000)]
        await auto.evaluate(msg("thanks", ANA, T0 + 2_000))
        assert await auto.timers() == []

        t = await auto.arm_timer("nudge", ANA, at=T0)
        assert t.due_at == T0 + 3_600_000
        assert await auto.run_due_timers(T0 + 60_000) == []
        (fired,) = await auto.run_due_timers(T0 + 3_600_000)
        assert fired.timer == t
        assert w.ActionOut.REPLY(rule="nudge", text="Still there, Ana?") in fired.evaluation.actions
        stored = await st.contact_get(ANA)
        assert stored is not None and "nudged" in stored.tags

        await auto.arm_timer("nudge", ANA, at=T0)
        assert await auto.cancel_timers(ANA) == 1
        with pytest.raises(w.WacrmError.Validation):
            await auto.arm_timer("missing", ANA)

    run(main())
