"""Automation: keyword rules in any script, business hours, templated replies,
tags and lifecycle segments, a sensitive-word filter and human handoff.

Load a rules file (TOML) with ``Rules.parse(text)`` or ``Rules.load(path)``; a
bad file raises ``ConfigError`` naming its line, and ``Rules.check(text)``
returns the line and reason without raising. ``Automation(rules, stores)``
evaluates messages one at a time, keeping the engine's state (cooldowns,
counters, pauses, segments) in memory or in a SQL store
(``AutomationSettings(state_url=...)``); tags and attributes the rules set are
written to the contact in ``stores``. ``Automation`` blocks;
``AsyncAutomation`` has the same operations as awaitables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, List, Literal, Optional, Union

from . import _native
from ._convert import decoder, encode, list_decoder, optional_decoder, register_union
from ._ops import Awaiting, Blocking, Op, operation
from .stores import AsyncStores, Stores

Direction = Literal["in", "out"]
Origin = Literal["contact", "agent", "automation", "bot"]


@dataclass(frozen=True)
class RulesProblem:
    """Why a rules file is refused (line 0: the file as a whole)."""

    line: int = 0
    reason: str = ""


@dataclass(frozen=True)
class RulesInfo:
    #: Rule ids in evaluation order (higher priority first).
    rules: List[str] = field(default_factory=list)
    timers: List[str] = field(default_factory=list)
    timezone: Optional[str] = None
    sensitive_words: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class AutomationSettings:
    #: ``memory:`` (default), ``sqlite://PATH`` or ``postgres://...``: where state is kept.
    state_url: Optional[str] = None
    #: IANA zone replacing the business hours' own.
    tz: Optional[str] = None


@dataclass(frozen=True)
class AutomationMessage:
    """One message, as ``wacrm automation test`` reads a line."""

    text: str
    #: The contact's WhatsApp id (or a stored contact's id).
    wa_id: str
    #: Epoch ms; now when ``None``.
    at: Optional[int] = None
    direction: Optional[Direction] = None
    name: Optional[str] = None
    origin: Optional[Origin] = None
    #: The contact's language tag (``es``, ``pt_BR``, ...).
    lang: Optional[str] = None


@dataclass(frozen=True)
class Reply:
    type: ClassVar[str] = "reply"
    rule: str = ""
    text: str = ""


@dataclass(frozen=True)
class SendTemplate:
    type: ClassVar[str] = "send_template"
    rule: str = ""
    name: str = ""
    language: str = ""


@dataclass(frozen=True)
class Tag:
    type: ClassVar[str] = "tag"
    tag: str = ""


@dataclass(frozen=True)
class Untag:
    type: ClassVar[str] = "untag"
    tag: str = ""


@dataclass(frozen=True)
class SetAttribute:
    type: ClassVar[str] = "set"
    attr: str = ""
    value: str = ""


@dataclass(frozen=True)
class Handoff:
    type: ClassVar[str] = "handoff"
    #: The phrase heard or the rule id.
    reason: str = ""


@dataclass(frozen=True)
class PauseAutomation:
    type: ClassVar[str] = "pause_automation"
    #: RFC 3339 time automation stays quiet until.
    until: str = ""


@dataclass(frozen=True)
class Block:
    """An outgoing text was blocked by the sensitive-word filter (never dropped silently)."""

    type: ClassVar[str] = "block"
    reason: str = ""


AutomationAction = Union[Reply, SendTemplate, Tag, Untag, SetAttribute, Handoff, PauseAutomation, Block]
register_union(AutomationAction, "type", {
    "reply": Reply, "send_template": SendTemplate, "tag": Tag, "untag": Untag, "set": SetAttribute,
    "handoff": Handoff, "pause_automation": PauseAutomation, "block": Block, "*": Block})


@dataclass(frozen=True)
class Skipped:
    """A matched rule that did not fire, and why."""

    rule: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Evaluation:
    rules: List[str] = field(default_factory=list)
    actions: List[AutomationAction] = field(default_factory=list)
    handoff: bool = False
    blocked: bool = False
    #: The contact's tags after this message.
    tags: List[str] = field(default_factory=list)
    skipped: List[Skipped] = field(default_factory=list)
    #: Why the whole message was not evaluated (loop protection, pause).
    ignored: Optional[str] = None

    def replies(self) -> List[str]:
        """The reply texts, in order."""
        return [a.text for a in self.actions if isinstance(a, Reply)]


@dataclass(frozen=True)
class SegmentChange:
    contact: str = ""
    actions: List[AutomationAction] = field(default_factory=list)
    tags: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class Timer:
    """A pending no-reply timer (a ``[[timers]]`` entry armed for a contact)."""

    timer_id: str = ""
    #: The contact key (a stored contact's id, else the wa_id given).
    contact: str = ""
    conversation: str = ""
    #: When it fires, epoch ms.
    due_at: int = 0


@dataclass(frozen=True)
class TimerFired:
    """A timer that came due, with what its actions did."""

    timer: Timer = field(default_factory=Timer)
    evaluation: Evaluation = field(default_factory=Evaluation)


class _RulesOps:
    def __init__(self, native: Any) -> None:
        self._native = native

    def info(self) -> RulesInfo:
        """Rule ids in evaluation order, timers, time zone, sensitive words."""
        return decoder(RulesInfo)(self._native.info())


class Rules(_RulesOps):
    """A parsed rules file: ``Rules.parse(text)`` or ``Rules.load(path)``."""

    @classmethod
    def parse(cls, text: str) -> "Rules":
        """Raises ``ConfigError`` (``rules line N: reason``) when refused."""
        return cls(_native.NativeRules.parse(text))

    @classmethod
    def load(cls, path: str) -> "Rules":
        return cls(_native.NativeRules.load(path))

    @staticmethod
    def check(text: str) -> Optional[RulesProblem]:
        """``None`` when ``text`` loads, otherwise the line and reason it is refused with."""
        return optional_decoder(RulesProblem)(_native.NativeRules.check(text))


_strings = list_decoder(str)


class _AutomationOps:
    def __init__(self, rules: Rules, stores: Union[Stores, AsyncStores, None] = None,
                 settings: Optional[AutomationSettings] = None) -> None:
        native_stores = stores._native if stores is not None else None
        self._native = _native.NativeAutomation(rules._native, native_stores, encode(settings))

    @operation
    def evaluate(self, message: AutomationMessage) -> Op[Evaluation]:
        """Evaluate one message and keep the state it changes."""
        return Op(self._native.evaluate(encode(message)), decoder(Evaluation))

    def matching_rules(self, text: str) -> List[str]:
        """Rule ids whose keywords match ``text`` (no state, no conditions)."""
        return list(self._native.matching_rules(text))

    @operation
    def contact_tags(self, contact: str) -> Op[List[str]]:
        """A contact's tags (by wa_id or contact id)."""
        return Op(self._native.contact_tags(contact), _strings)

    @operation
    def set_contact_tags(self, contact: str, tags: List[str]) -> Op[List[str]]:
        """Replace a contact's tags; the tags stored."""
        return Op(self._native.set_contact_tags(contact, list(tags)), _strings)

    @operation
    def contact_segments(self, contact: str) -> Op[List[str]]:
        """The lifecycle segments automation keeps for a contact."""
        return Op(self._native.contact_segments(contact), _strings)

    @operation
    def lifecycle_pass(self, at: Optional[int] = None) -> Op[List[SegmentChange]]:
        """The scheduled lifecycle pass at ``at`` (epoch ms; now when ``None``)."""
        return Op(self._native.lifecycle_pass(at), list_decoder(SegmentChange))

    @operation
    def timers(self, contact: Optional[str] = None) -> Op[List[Timer]]:
        """Pending no-reply timers of ``contact`` (wa_id or contact id), or of everyone; earliest first."""
        return Op(self._native.timers(contact), list_decoder(Timer))

    @operation
    def arm_timer(self, timer_id: str, contact: str, conversation: Optional[str] = None,
                  at: Optional[int] = None) -> Op[Timer]:
        """Arm rules timer ``timer_id`` for ``contact``, due its delay after ``at`` (epoch ms; now when ``None``).

        Replaces the contact's armed timer of that id; an id the rules do not define raises ``ValidationError``."""
        return Op(self._native.arm_timer(timer_id, contact, conversation, at), decoder(Timer))

    @operation
    def cancel_timers(self, contact: str) -> Op[int]:
        """Cancel every pending timer of ``contact``; how many."""
        return Op(self._native.cancel_timers(contact), int)

    @operation
    def run_due_timers(self, at: Optional[int] = None) -> Op[List[TimerFired]]:
        """Run the timers due at ``at`` (epoch ms; now when ``None``), each once; tags go to the contact."""
        return Op(self._native.run_due_timers(at), list_decoder(TimerFired))


class Automation(_AutomationOps, Blocking):
    """Blocking evaluation of ``rules``; contacts in ``stores`` (in memory when ``None``)."""


class AsyncAutomation(_AutomationOps, Awaiting):
    """The same operations as awaitables."""


__all__ = ["AsyncAutomation", "Automation", "AutomationAction", "AutomationMessage", "AutomationSettings", "Block",
           "Direction", "Evaluation", "Handoff", "Origin", "PauseAutomation", "Reply", "Rules", "RulesInfo",
           "RulesProblem", "SegmentChange", "SendTemplate", "SetAttribute", "Skipped", "Tag", "Timer", "TimerFired",
           "Untag"]
