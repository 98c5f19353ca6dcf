"""Keyword rules in any script, business hours and handoff, through the binding:
load the rules file of the Rust example, feed messages, print what each would
do; the contact's tags land in the stores, and automation stays quiet after a
handoff."""

import datetime
import pathlib

import wacrm
from wacrm.automation import Automation, AutomationMessage, Rules

RULES = pathlib.Path(__file__).resolve().parents[1] / "examples/data/automation_rules.toml"


def ms(when: str) -> int:
    return int(datetime.datetime.fromisoformat(when).timestamp() * 1000)


def main() -> None:
    stores = wacrm.Stores("memory:")
    rules = Rules.load(str(RULES))
    print("rules:", rules.info().rules)
    auto = Automation(rules, stores)
    messages = [
        # Tuesday 22:00 in São Paulo: out of hours, the reply names the next opening.
        ("5511999990000", "qual o preço?", "2026-03-03T22:00:00-03:00"),
        # Japanese without spaces still matches inside the text.
        ("819012345678", "配送はいつですか", "2026-03-04T10:00:00-03:00"),
        # The third "discount" tags the contact.
        ("5511999990000", "discount?", "2026-03-04T10:00:00-03:00"),
        ("5511999990000", "any discount", "2026-03-04T10:01:00-03:00"),
        ("5511999990000", "discount please", "2026-03-04T10:02:00-03:00"),
        # Asking for a person hands the conversation over and pauses automation.
        ("5511999990000", "quero falar com um atendente", "2026-03-04T10:03:00-03:00"),
        ("5511999990000", "frete?", "2026-03-04T10:04:00-03:00"),
    ]
    ev = None
    for wa_id, text, when in messages:
        ev = auto.evaluate(AutomationMessage(text, wa_id, at=ms(when), name="Ana Silva"))
        print(f"{text:32} rules={ev.rules} replies={ev.replies()} handoff={ev.handoff} tags={ev.tags}")
    assert ev is not None and ev.rules == [] and ev.ignored is not None, "automation is paused after a handoff"

    ana = stores.contact_get("5511999990000")
    assert ana is not None and {"asked-price", "price-sensitive"} <= set(ana.tags)
    print("stored tags:", sorted(ana.tags), "segments:", auto.contact_segments("5511999990000"))


if __name__ == "__main__":
    main()
