"""Cloud API clients: ``AsyncClient`` (awaitables for asyncio) and ``Client``
(blocking, releases the GIL, refuses to run inside a running event loop).
Both have the same methods: messages of every type, read receipts, media,
templates, phone numbers and the business profile."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from . import _native
from ._call import call_async, call_sync
from .messages import Message

JSON = Dict[str, Any]


class AsyncClient:
    """Async client. ``base_url`` points at the Graph host or a sandbox."""

    def __init__(self, access_token: str, base_url: Optional[str] = None, api_version: Optional[str] = None) -> None:
        self._native = _native.NativeClient(access_token, base_url, api_version)

    async def _call(self, op: str, **args: Any) -> Any:
        return await call_async(self._native, op, args)

    async def send(self, from_id: str, to: str, message: Message, idempotency_key: Optional[str] = None,
                   biz_opaque_callback_data: Optional[str] = None) -> JSON:
        r: JSON = await self._call("send", **{"from": from_id}, to=to, message=message, idempotency_key=idempotency_key,
                                   biz_opaque_callback_data=biz_opaque_callback_data)
        return r

    async def send_text(self, from_id: str, to: str, body: str) -> JSON:
        r: JSON = await self._call("send_text", **{"from": from_id}, to=to, body=body)
        return r

    async def mark_read(self, from_id: str, message_id: str, typing_indicator: bool = False) -> JSON:
        r: JSON = await self._call("mark_read", **{"from": from_id}, message_id=message_id, typing_indicator=typing_indicator)
        return r

    async def upload_media(self, from_id: str, path: str, mime_type: str, kind: Optional[str] = None) -> str:
        r: JSON = await self._call("upload_media", **{"from": from_id}, path=path, mime_type=mime_type, kind=kind)
        return str(r["id"])

    async def media_url(self, media_id: str) -> JSON:
        r: JSON = await self._call("media_url", id=media_id)
        return r

    async def download_media(self, url: str, path: str) -> JSON:
        r: JSON = await self._call("download_media", url=url, path=path)
        return r

    async def delete_media(self, media_id: str) -> JSON:
        r: JSON = await self._call("delete_media", id=media_id)
        return r

    async def list_templates(self, waba_id: str, **query: Any) -> JSON:
        r: JSON = await self._call("list_templates", waba=waba_id, query=query)
        return r

    async def list_all_templates(self, waba_id: str, **query: Any) -> List[JSON]:
        r: List[JSON] = await self._call("list_all_templates", waba=waba_id, query=query)
        return r

    async def create_template(self, waba_id: str, template: JSON) -> JSON:
        r: JSON = await self._call("create_template", waba=waba_id, template=template)
        return r

    async def delete_template(self, waba_id: str, name: str, template_id: Optional[str] = None) -> JSON:
        r: JSON = await self._call("delete_template", waba=waba_id, name=name, id=template_id)
        return r

    async def list_phone_numbers(self, waba_id: str) -> JSON:
        r: JSON = await self._call("list_phone_numbers", waba=waba_id)
        return r

    async def get_phone_number(self, phone_number_id: str) -> JSON:
        r: JSON = await self._call("get_phone_number", id=phone_number_id)
        return r

    async def get_business_profile(self, phone_number_id: str) -> JSON:
        r: JSON = await self._call("get_business_profile", id=phone_number_id)
        return r

    async def update_business_profile(self, phone_number_id: str, profile: JSON) -> JSON:
        r: JSON = await self._call("update_business_profile", id=phone_number_id, profile=profile)
        return r

    def __repr__(self) -> str:  # never shows the token
        return "AsyncClient(...)"


class Client:
    """Blocking client with the same methods as ``AsyncClient``."""

    def __init__(self, access_token: str, base_url: Optional[str] = None, api_version: Optional[str] = None) -> None:
        self._native = _native.NativeClient(access_token, base_url, api_version)

    def _call(self, op: str, **args: Any) -> Any:
        return call_sync(self._native, "Client", op, args)

    def send(self, from_id: str, to: str, message: Message, idempotency_key: Optional[str] = None,
             biz_opaque_callback_data: Optional[str] = None) -> JSON:
        r: JSON = self._call("send", **{"from": from_id}, to=to, message=message, idempotency_key=idempotency_key,
                             biz_opaque_callback_data=biz_opaque_callback_data)
        return r

    def send_text(self, from_id: str, to: str, body: str) -> JSON:
        r: JSON = self._call("send_text", **{"from": from_id}, to=to, body=body)
        return r

    def mark_read(self, from_id: str, message_id: str, typing_indicator: bool = False) -> JSON:
        r: JSON = self._call("mark_read", **{"from": from_id}, message_id=message_id, typing_indicator=typing_indicator)
        return r

    def upload_media(self, from_id: str, path: str, mime_type: str, kind: Optional[str] = None) -> str:
        r: JSON = self._call("upload_media", **{"from": from_id}, path=path, mime_type=mime_type, kind=kind)
        return str(r["id"])

    def media_url(self, media_id: str) -> JSON:
        r: JSON = self._call("media_url", id=media_id)
        return r

    def download_media(self, url: str, path: str) -> JSON:
        r: JSON = self._call("download_media", url=url, path=path)
        return r

    def delete_media(self, media_id: str) -> JSON:
        r: JSON = self._call("delete_media", id=media_id)
        return r

    def list_templates(self, waba_id: str, **query: Any) -> JSON:
        r: JSON = self._call("list_templates", waba=waba_id, query=query)
        return r

    def list_all_templates(self, waba_id: str, **query: Any) -> List[JSON]:
        r: List[JSON] = self._call("list_all_templates", waba=waba_id, query=query)
        return r

    def create_template(self, waba_id: str, template: JSON) -> JSON:
        r: JSON = self._call("create_template", waba=waba_id, template=template)
        return r

    def delete_template(self, waba_id: str, name: str, template_id: Optional[str] = None) -> JSON:
        r: JSON = self._call("delete_template", waba=waba_id, name=name, id=template_id)
        return r

    def list_phone_numbers(self, waba_id: str) -> JSON:
        r: JSON = self._call("list_phone_numbers", waba=waba_id)
        return r

    def get_phone_number(self, phone_number_id: str) -> JSON:
        r: JSON = self._call("get_phone_number", id=phone_number_id)
        return r

    def get_business_profile(self, phone_number_id: str) -> JSON:
        r: JSON = self._call("get_business_profile", id=phone_number_id)
        return r

    def update_business_profile(self, phone_number_id: str, profile: JSON) -> JSON:
        r: JSON = self._call("update_business_profile", id=phone_number_id, profile=profile)
        return r

    def __repr__(self) -> str:
        return "Client(...)"


__all__ = ["AsyncClient", "Client", "JSON"]
