"""A Bot API over HTTP that follows Telegram's rules for getUpdates, for tests that run the
real ``peerlink run`` as a subprocess.

- Updates wait in a queue until a getUpdates call with an ``offset`` above their id confirms
  them (as Telegram does); until then every getUpdates hands them out again.
- A getUpdates is held open (up to its ``timeout``, at most half a second here) until
  something arrives.
- A chat can be put under a flood wait: sends to it are answered 429 with ``retry_after``.
- ``latency`` delays every send's answer, like the round trip to api.telegram.org.
Sends (sendMessage, copyMessage) are recorded with the time they arrived. It is served with
tests/test_cli.py's local HTTP server.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from tests.test_cli import BOT_USER, BotApiHandler, parse_body, serving


@dataclass
class Sent:
    method: str
    chat_id: int
    text: str  # sendMessage's text; copyMessage: "copy:<from chat>:<message id>"
    at: float


@dataclass
class TelegramRules:
    token: str
    pending: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    flood_waits: dict[int, float] = field(default_factory=dict)  # chat -> until (monotonic)
    latency: float = 0.0  # seconds before a send is answered (and recorded), as from afar
    lock: threading.Condition = field(default_factory=threading.Condition)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(100_000))

    # -- what tests do ----------------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._ids)

    def push(self, *updates: dict[str, Any]) -> None:
        with self.lock:
            self.pending.extend(updates)
            self.lock.notify_all()

    def text_update(self, user_id: int, text: str, name: str = "Sam") -> dict[str, Any]:
        update_id = self.next_update_id()
        message: dict[str, Any] = {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": name},
            "from": {"id": user_id, "is_bot": False, "first_name": name},
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": update_id, "message": message}

    def to(self, chat_id: int) -> list[Sent]:
        with self.lock:
            return [sent for sent in self.sent if sent.chat_id == chat_id]

    # -- the Bot API --------------------------------------------------------------------------

    def handle(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        method = path.removeprefix(f"/bot{self.token}/")
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method in ("sendMessage", "copyMessage"):
            chat_id = int(params["chat_id"])
            with self.lock:
                until = self.flood_waits.get(chat_id, 0.0)
                if until > time.monotonic():
                    wait = max(1, int(until - time.monotonic() + 0.999))
                    return 429, {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {wait}",
                        "parameters": {"retry_after": wait},
                    }
                message_id = next(self._message_ids)
                text = (
                    params.get("text", "")
                    if method == "sendMessage"
                    else f"copy:{params['from_chat_id']}:{params['message_id']}"
                )
                self.sent.append(Sent(method, chat_id, text, time.monotonic()))
            if self.latency:  # delivered on arrival, answered later (each request: a thread)
                time.sleep(self.latency)
            if method == "copyMessage":
                return 200, {"ok": True, "result": {"message_id": message_id}}
            message = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {key: BOT_USER[key] for key in ("id", "is_bot", "first_name")},
                "text": params.get("text", ""),
            }
            return 200, {"ok": True, "result": message}
        return 200, {"ok": True, "result": True}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        hold = min(float(params.get("timeout") or 0), 0.5)
        deadline = time.monotonic() + hold
        with self.lock:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            while not self.pending and time.monotonic() < deadline:
                self.lock.wait(deadline - time.monotonic())
            return [json.loads(json.dumps(update)) for update in self.pending[:100]]


def served(api: TelegramRules) -> AbstractContextManager[str]:
    """``with served(api) as base_url:`` the API on a local port for the block."""

    class Handler(BotApiHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            params = parse_body(self.headers.get("Content-Type", ""), body)
            self.answer(*api.handle(self.path, params))

    return serving(Handler)
