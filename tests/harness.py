"""An offline Telegram: a fake Bot API behind the real Application, and people who use it.

``FakeBotApi`` is a ``telegram.request.BaseRequest``: python-telegram-bot sends it every
Bot API call, it records the call and answers the way Telegram would. ``TelegramUser``
sends messages and taps buttons by pushing real ``Update`` objects through
``application.process_update``, so tests read like conversations.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseRateLimiter
from telegram.request import BaseRequest, RequestData

BOT_ID = 424242
BOT_USERNAME = "peerlink_test_bot"


class _TelegramHtml(HTMLParser):
    """Turns Bot API HTML into what a chat shows: plain text plus formatting entities."""

    KINDS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "code": "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[dict[str, Any]] = []
        self._open: list[tuple[str, int]] = []

    def _offset(self) -> int:  # Telegram counts UTF-16 code units
        return len(self.text.encode("utf-16-le")) // 2

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.KINDS or tag == "a", f"Telegram does not support <{tag}>"
        self._open.append((tag, self._offset()))

    def handle_endtag(self, tag: str) -> None:
        opened, start = self._open.pop()
        assert opened == tag, f"<{opened}> closed by </{tag}>"
        if tag in self.KINDS:
            kind = self.KINDS[tag]
            self.entities.append({"type": kind, "offset": start, "length": self._offset() - start})

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    assert not parser._open, f"unclosed tags in {text!r}"
    return parser.text, parser.entities


@dataclass
class Sent:
    """A message the bot sent, as the person's chat now shows it."""

    message_id: int
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_to: int | None = None  # the message id this one replies to, in the same chat
    copied_from: tuple[int, int] | None = None  # (chat id, message id) of the original
    photo: bool = False
    document: tuple[str, bytes] | None = None  # (file name, content) of a sent file

    @classmethod
    def from_api(cls, message_id: int, params: dict[str, Any]) -> Sent:
        text, entities = _text_of(params)
        quoted = (params.get("reply_parameters") or {}).get("message_id")
        return cls(
            message_id,
            int(params["chat_id"]),
            text,
            params.get("reply_markup"),
            entities,
            reply_to=int(quoted) if quoted is not None else None,
        )

    @property
    def buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup:
            return []
        return [button for row in self.reply_markup.get("inline_keyboard", []) for button in row]

    @property
    def button_labels(self) -> list[str]:
        return [button["text"] for button in self.buttons]


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeBotApi(BaseRequest):
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, Sent] = field(default_factory=dict)
    # what people sent the bot, so copyMessage can copy it: (chat, message id) -> content
    user_messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    def _message(self, sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {"id": sent.chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "PeerLink"},
            "text": sent.text,
            "entities": sent.entities,
        }
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        if sent.reply_to:
            replied = self.messages.get(sent.reply_to)
            written = self.user_messages.get((sent.chat_id, sent.reply_to))
            if replied is not None:
                message["reply_to_message"] = self._message(replied)
            elif written is not None:  # the bot quoting what the person wrote
                message["reply_to_message"] = {
                    "message_id": sent.reply_to,
                    "date": int(time.time()),
                    "chat": message["chat"],
                    "from": {"id": sent.chat_id, "is_bot": False, "first_name": "Someone"},
                    "text": written["text"],
                }
        if sent.photo:
            message.pop("text")
            message["caption"] = sent.text
            message["photo"] = [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]
        return message

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kw: Any
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(Call(name, params))
        chat_id = params.get("chat_id")
        if chat_id is not None and int(chat_id) in self.blocked:
            return 403, json.dumps(
                {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                }
            ).encode()
        result: Any = True
        if name == "getMe":
            result = {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "PeerLink",
                "username": BOT_USERNAME,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        elif name == "getUpdates":
            result = []
        elif name == "sendMessage":
            sent = Sent.from_api(next(self._ids), params)
            self.messages[sent.message_id] = sent
            result = self._message(sent)
        elif name == "copyMessage":
            original = self.user_messages[(int(params["from_chat_id"]), int(params["message_id"]))]
            reply = params.get("reply_parameters") or {}
            sent = Sent(
                next(self._ids),
                int(chat_id),
                original["text"],
                params.get("reply_markup"),
                reply_to=reply.get("message_id"),
                copied_from=(int(params["from_chat_id"]), int(params["message_id"])),
                photo=original["photo"],
            )
            self.messages[sent.message_id] = sent
            result = {"message_id": sent.message_id}
        elif name == "sendDocument":
            upload = next(iter((request_data.multipart_data or {}).values()))
            caption, entities = _text_of({"text": params.get("caption", ""), **params})
            sent = Sent(next(self._ids), int(chat_id), caption, params.get("reply_markup"))
            sent.entities, sent.document = entities, (upload[0], upload[1])
            self.messages[sent.message_id] = sent
            result = {**self._message(sent), "document": {"file_id": "d", "file_unique_id": "d"}}
        elif name in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            sent = self.messages[int(params["message_id"])]
            if name == "editMessageText":
                sent.text, sent.entities = _text_of(params)
            if name == "editMessageCaption":
                sent.text = params["caption"]
            if name != "editMessageCaption":
                sent.reply_markup = params.get("reply_markup")
            result = self._message(sent)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def sent_to(self, chat_id: int) -> list[Sent]:
        return [m for m in self.messages.values() if m.chat_id == chat_id]

    def methods(self, name: str) -> list[Call]:
        return [call for call in self.calls if call.method == name]


def _text_of(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    if params.get("parse_mode") == "HTML":
        return parse_html(params["text"])
    return params["text"], []


# Like Telegram's, update ids only grow, across restarts of the bot too.
_UPDATE_IDS = itertools.count(1)


class Harness:
    """One running Application over the fake Bot API, and a clock tests can move."""

    def __init__(self, application: Application, api: FakeBotApi) -> None:
        self.application = application
        self.api = api

    async def process(self, update: dict[str, Any]) -> None:
        """Handle one update in a task of its own, as the pipeline does: what its handling
        sets in the context (the language being spoken) ends with it."""
        update["update_id"] = next(_UPDATE_IDS)
        parsed = Update.de_json(update, self.application.bot)
        await asyncio.create_task(self.application.process_update(parsed))

    def user(
        self, telegram_id: int, first_name: str = "Sam", language_code: str | None = None
    ) -> TelegramUser:
        return TelegramUser(self, telegram_id, first_name, language_code)


class TelegramUser:
    """Someone in a private chat with the bot."""

    def __init__(
        self,
        harness: Harness,
        telegram_id: int,
        first_name: str,
        language_code: str | None = None,
    ) -> None:
        self.harness = harness
        self.id = telegram_id
        self.first_name = first_name
        self.language_code = language_code
        self._message_ids = itertools.count(1)

    @property
    def api(self) -> FakeBotApi:
        return self.harness.api

    def _user(self) -> dict[str, Any]:
        user = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:  # what their Telegram app is set to
            user["language_code"] = self.language_code
        return user

    def _chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    def _since(self, before: set[int]) -> list[Sent]:
        return [m for m in self.api.sent_to(self.id) if m.message_id not in before]

    def _outgoing(self, reply_to: Sent | None) -> dict[str, Any]:
        message_id = next(self._message_ids) + 100_000  # apart from the bot's own ids
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(),
            "from": self._user(),
        }
        if reply_to is not None:
            message["reply_to_message"] = self.api._message(reply_to)
        return message

    async def send(self, text: str, reply_to: Sent | None = None) -> list[Sent]:
        """Type a message (a command if it starts with '/'); returns the bot's new messages."""
        before = {m.message_id for m in self.api.sent_to(self.id)}
        message = self._outgoing(reply_to)
        message["text"] = text
        self.last_sent_id = message["message_id"]
        self.api.user_messages[(self.id, message["message_id"])] = {"text": text, "photo": False}
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self.harness.process({"message": message})
        return self._since(before)

    async def send_photo(self, caption: str = "", reply_to: Sent | None = None) -> list[Sent]:
        before = {m.message_id for m in self.api.sent_to(self.id)}
        message = self._outgoing(reply_to)
        message["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}]
        if caption:
            message["caption"] = caption
        self.last_sent_id = message["message_id"]
        self.api.user_messages[(self.id, message["message_id"])] = {
            "text": caption,
            "photo": True,
        }
        await self.harness.process({"message": message})
        return self._since(before)

    async def send_other(self, **fields: Any) -> list[Sent]:
        """Send a message of another kind: ``contact={...}``, ``location={...}``, or one
        forwarded from someone (``forward_origin={...}``, with ``text``)."""
        before = {m.message_id for m in self.api.sent_to(self.id)}
        message = {**self._outgoing(None), **fields}
        self.last_sent_id = message["message_id"]
        self.api.user_messages[(self.id, message["message_id"])] = {
            "text": fields.get("text", ""),
            "photo": False,
        }
        await self.harness.process({"message": message})
        return self._since(before)

    async def edit(self, message_id: int, text: str) -> None:
        """Edit a message this person sent earlier (what Telegram then copies and quotes)."""
        written = self.api.user_messages.get((self.id, message_id))
        if written is not None:
            written["text"] = text
        await self.harness.process(
            {
                "edited_message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "edit_date": int(time.time()),
                    "chat": self._chat(),
                    "from": self._user(),
                    "text": text,
                }
            }
        )

    async def press(self, data: str, message: Sent | None = None) -> list[Sent]:
        """Tap a button by its callback data (crafted data allowed: a test of the server)."""
        message = message or self.last_with_buttons()
        before = {m.message_id for m in self.api.sent_to(self.id)}
        query = {
            "id": str(next(self._message_ids)),
            "from": self._user(),
            "chat_instance": str(self.id),
            "data": data,
            "message": self.api._message(message),
        }
        await self.harness.process({"callback_query": query})
        return self._since(before)

    async def tap(self, label: str, message: Sent | None = None, exact: bool = False) -> list[Sent]:
        """Tap the button whose label contains ``label`` (or is it, ``exact``) on the newest
        message that has it."""
        candidates = [message] if message else reversed(self.api.sent_to(self.id))
        for candidate in candidates:
            for button in candidate.buttons:
                text = button["text"].lower()
                # (a choice in a list carries its mark: "▫️ Man", "✅ Man")
                unmarked = text.removeprefix("✅ ").removeprefix("▫️ ")
                found = label.lower() in (text, unmarked) if exact else label.lower() in text
                if found and "callback_data" in button:
                    return await self.press(button["callback_data"], candidate)
        raise AssertionError(f"no button {label!r} for user {self.id}; last: {self.last().text!r}")

    def last(self) -> Sent:
        sent = self.api.sent_to(self.id)
        assert sent, f"the bot has sent nothing to {self.id}"
        return sent[-1]

    def last_with_buttons(self) -> Sent:
        for sent in reversed(self.api.sent_to(self.id)):
            if sent.buttons:
                return sent
        raise AssertionError(f"no message with buttons for {self.id}")

    def toasts(self) -> list[str]:
        return [c.params.get("text") or "" for c in self.api.methods("answerCallbackQuery")]


class NoRateLimit(BaseRateLimiter):
    """The bot's rate limiter (``ChatPacedRateLimiter``) paces calls for the real Telegram (30 a
    second overall); against the fake it only makes tests of hundreds of updates slow.
    Patch it in before building the bot: ``monkeypatch.setattr(bot.app, "ChatPacedRateLimiter",
    NoRateLimit)``."""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        pass

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        return await callback(*args, **kwargs)
