"""Stores opened by URL (``memory:``, ``sqlite://PATH``, ``postgres://...``):
contacts (CSV import with a bad-row report, segments, dedupe and merge),
conversations, messages, the outbox, webhook ingest and the analytics report. ``Stores`` blocks; ``AsyncStores``
has the same operations as awaitables (one definition, ``_StoresOps``). Both
hold the same native handle type, so a scheduler or assignment built on
either sees the same data."""

from __future__ import annotations

from typing import List, Optional, Union

from . import _native
from .analytics import IngestSummary, Report, ReportArgs
from ._convert import decoder, encode, list_decoder, optional_decoder
from ._ops import Awaiting, Blocking, Op, operation
from .records import (
    Contact,
    Conversation,
    DedupeConfig,
    DedupeOutcome,
    ImportArgs,
    ImportReport,
    MessageRecord,
    OutboxItem,
    OutboxState,
    OutboxStats,
    Segment,
)

_contact = decoder(Contact)
_maybe_contact = optional_decoder(Contact)
_contacts = list_decoder(Contact)


class _StoresOps:
    def __init__(self, url: str = "memory:") -> None:
        self._native = _native.NativeStores(url)

    @operation
    def contacts_import_csv(self, args: ImportArgs) -> Op[ImportReport]:
        """Import a CSV of contacts; the report lists bad rows by line number."""
        return Op(self._native.contacts_import_csv(encode(args)), decoder(ImportReport))

    @operation
    def contacts_dedupe(self, config: Optional[DedupeConfig] = None, merge: bool = False) -> Op[DedupeOutcome]:
        """Find duplicate contacts; ``merge=True`` executes the merge plan."""
        return Op(self._native.contacts_dedupe(encode(config), merge), decoder(DedupeOutcome))

    @operation
    def contact_get(self, id: str) -> Op[Optional[Contact]]:
        return Op(self._native.contact_get(id), _maybe_contact)

    @operation
    def contact_find_by_phone(self, phone: str) -> Op[Optional[Contact]]:
        """The contact with this E.164 number."""
        return Op(self._native.contact_find_by_phone(phone), _maybe_contact)

    @operation
    def contact_upsert(self, contact: Contact) -> Op[Contact]:
        """Create or replace a contact; the stored version."""
        return Op(self._native.contact_upsert(encode(contact)), _contact)

    @operation
    def segment_members(self, segment: Segment) -> Op[List[Contact]]:
        return Op(self._native.segment_members(encode(segment)), _contacts)

    @operation
    def conversations_open(self) -> Op[List[Conversation]]:
        return Op(self._native.conversations_open(), list_decoder(Conversation))

    @operation
    def messages_for_contact(self, id: str) -> Op[List[MessageRecord]]:
        """A contact's messages, both directions."""
        return Op(self._native.messages_for_contact(id), list_decoder(MessageRecord))

    @operation
    def outbox_stats(self) -> Op[OutboxStats]:
        return Op(self._native.outbox_stats(), decoder(OutboxStats))

    @operation
    def outbox_items(self, state: Optional[OutboxState] = None, limit: int = 100) -> Op[List[OutboxItem]]:
        """Items in ``state`` (every state when ``None``), at most ``limit`` per state."""
        return Op(self._native.outbox_items(state, limit), list_decoder(OutboxItem))


    @operation
    def report(self, args: Optional[ReportArgs] = None) -> Op[Report]:
        """The analytics report (FRT, agents, funnels, failures, hour of week,
        hot words, anomalies) over ``args``' range, all data when ``None``; and
        the CRM sync health the sync engines saved (``sync``, whatever the range)."""
        return Op(self._native.report(encode(args)), decoder(Report))

    @operation
    def report_html(self, args: Optional[ReportArgs] = None, title: str = "wacrm report") -> Op[str]:
        """The report as one self-contained HTML page (no network needed to view it)."""
        return Op(self._native.report_html(encode(args), title), str)

    @operation
    def report_csv(self, args: Optional[ReportArgs] = None) -> Op[str]:
        """The report as CSV sections: a ``# name`` line, a header row and the rows."""
        return Op(self._native.report_csv(encode(args)), str)

    @operation
    def webhook_ingest(self, body: Union[bytes, str]) -> Op[IngestSummary]:
        """Process one stored webhook body into the stores, as the live handler
        would (idempotent: the same body twice changes nothing)."""
        raw = body.encode() if isinstance(body, str) else bytes(body)
        return Op(self._native.webhook_ingest(raw), decoder(IngestSummary))


class Stores(_StoresOps, Blocking):
    """Blocking access to the stores at ``url`` (opened and migrated now)."""


class AsyncStores(_StoresOps, Awaiting):
    """The same operations as awaitables."""


__all__ = ["AsyncStores", "Stores"]
