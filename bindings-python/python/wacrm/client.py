"""Cloud API clients: ``AsyncClient`` (awaitables for asyncio) and ``Client``
(blocking, releases the GIL, refuses to run inside a running event loop).
Both share each operation's one definition (``_ClientOps``): messages of every
type, read receipts, media, templates, phone numbers and the business profile."""

from __future__ import annotations

from typing import List, Optional

from . import _native
from ._convert import decoder, encode, list_decoder
from ._ops import Awaiting, Blocking, Op, operation
from .messages import Message
from .types import (
    BusinessProfile,
    CreatedTemplate,
    DownloadedMedia,
    MediaUrl,
    NewTemplate,
    PhoneNumber,
    PhoneNumberPage,
    SendResponse,
    Success,
    Template,
    TemplatePage,
    TemplateQuery,
)

_send_response = decoder(SendResponse)
_success = decoder(Success)
_templates = list_decoder(Template)


class _ClientOps:
    """The client's operations; ``base_url`` points at the Graph host or a sandbox."""

    def __init__(self, access_token: str, base_url: Optional[str] = None, api_version: Optional[str] = None) -> None:
        self._native = _native.NativeClient(access_token, base_url, api_version)

    @operation
    def send(self, from_: str, to: str, message: Message, idempotency_key: Optional[str] = None,
             biz_opaque_callback_data: Optional[str] = None) -> Op[SendResponse]:
        """Send any message from the business number ``from_`` to ``to`` (E.164, wa_id or BSUID)."""
        return Op(self._native.send(from_, to, encode(message), idempotency_key, biz_opaque_callback_data),
                  _send_response)

    @operation
    def send_text(self, from_: str, to: str, body: str) -> Op[SendResponse]:
        return Op(self._native.send_text(from_, to, body), _send_response)

    @operation
    def mark_read(self, from_: str, message_id: str, typing_indicator: bool = False) -> Op[Success]:
        return Op(self._native.mark_read(from_, message_id, typing_indicator), _success)

    @operation
    def upload_media(self, from_: str, path: str, mime_type: str, kind: Optional[str] = None) -> Op[str]:
        """Upload a local file; the media id."""
        return Op(self._native.upload_media(from_, path, mime_type, kind), str)

    @operation
    def media_url(self, id: str) -> Op[MediaUrl]:
        return Op(self._native.media_url(id), decoder(MediaUrl))

    @operation
    def download_media(self, url: str, path: str) -> Op[DownloadedMedia]:
        return Op(self._native.download_media(url, path), decoder(DownloadedMedia))

    @operation
    def delete_media(self, id: str) -> Op[Success]:
        return Op(self._native.delete_media(id), _success)

    @operation
    def list_templates(self, waba: str, query: Optional[TemplateQuery] = None) -> Op[TemplatePage]:
        return Op(self._native.list_templates(waba, encode(query)), decoder(TemplatePage))

    @operation
    def list_all_templates(self, waba: str, query: Optional[TemplateQuery] = None) -> Op[List[Template]]:
        return Op(self._native.list_all_templates(waba, encode(query)), _templates)

    @operation
    def create_template(self, waba: str, template: NewTemplate) -> Op[CreatedTemplate]:
        return Op(self._native.create_template(waba, encode(template)), decoder(CreatedTemplate))

    @operation
    def delete_template(self, waba: str, name: str, id: Optional[str] = None) -> Op[Success]:
        """Delete a template by name (every language) or by name and id (one)."""
        return Op(self._native.delete_template(waba, name, id), _success)

    @operation
    def list_phone_numbers(self, waba: str) -> Op[PhoneNumberPage]:
        return Op(self._native.list_phone_numbers(waba), decoder(PhoneNumberPage))

    @operation
    def get_phone_number(self, id: str) -> Op[PhoneNumber]:
        return Op(self._native.get_phone_number(id), decoder(PhoneNumber))

    @operation
    def get_business_profile(self, id: str) -> Op[BusinessProfile]:
        return Op(self._native.get_business_profile(id), decoder(BusinessProfile))

    @operation
    def update_business_profile(self, id: str, profile: BusinessProfile) -> Op[Success]:
        return Op(self._native.update_business_profile(id, encode(profile)), _success)

    def __repr__(self) -> str:  # never shows the token
        return f"{type(self).__name__}(...)"


class Client(_ClientOps, Blocking):
    """Blocking client."""


class AsyncClient(_ClientOps, Awaiting):
    """Async client: every operation returns an awaitable."""


__all__ = ["AsyncClient", "Client"]
