"""Safety while the database cannot be reached: the crisis lines from memory.

The lexicon and the crisis lines are loaded with the configuration, so a risk phrase or
/help_now is answered within a second or two even when an update cannot be stored or
handled. The flag itself (and the coordinators' alert) follows when the update is handled
after recovery; that handling is told the crisis lines went out already, so they are not
sent twice. Everyone else hears once per outage that we are slow, and why.
"""

from __future__ import annotations

import logging
import time

from telegram import Bot, Update, User
from telegram.error import TelegramError

from bot import crisis, languages
from bot.config import Config
from bot.languages import SpokenLanguages
from bot.notify import Reply, send
from bot.safety.service import found_in
from bot.texts import speaking, t
from bot.tg.handling import Handling

log = logging.getLogger(__name__)

FORGET_AFTER = 24 * 3600  # Telegram keeps an update for a day; so do we, in memory


class SafetyFromMemory:
    def __init__(self, config: Config, bot: Bot, spoken: SpokenLanguages | None = None) -> None:
        self._config = config
        self._bot = bot
        self._spoken = spoken or SpokenLanguages()  # each person's language, as last read
        self._crisis_sent: dict[int, float] = {}  # update id -> when
        self._covered: set[int] = set()  # update ids already looked at in this outage
        self._told_slow: set[int] = set()  # chats told we are slow, in this outage

    def crisis_lines_sent(self, update_id: int) -> bool:
        return update_id in self._crisis_sent

    def note_crisis_lines_sent(self, update_id: int) -> None:
        """Handling sent them (screening, /help_now): never again from memory."""
        self._crisis_sent.setdefault(update_id, time.monotonic())

    def recovered(self) -> None:
        """The database is back: the next outage tells people again."""
        self._covered.clear()
        self._told_slow.clear()
        cutoff = time.monotonic() - FORGET_AFTER
        for update_id in [u for u, at in self._crisis_sent.items() if at < cutoff]:
            del self._crisis_sent[update_id]

    async def cover(
        self, updates: list[Update], *, tell_slow: bool = True, handling: Handling | None = None
    ) -> None:
        """Answer what cannot wait for these updates, which cannot be handled right now (or
        not quickly: ``handling`` is the try under way, told when the crisis lines go)."""
        for update in updates:
            if update.update_id in self._covered or update.update_id in self._crisis_sent:
                continue
            if handling is not None and (handling.crisis_lines_sent or handling.screened):
                continue  # sent already, or screening (which knows who is staff) has looked
            self._covered.add(update.update_id)
            await self._cover_one(update, tell_slow, handling)

    async def _cover_one(self, update: Update, tell_slow: bool, handling: Handling | None) -> bool:
        """True when the crisis lines (or /help_now's answer) went out."""
        message = update.message or update.edited_message
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or chat.type != "private" or user is None:
            return False
        text = (message.text or message.caption or "") if message else ""
        reply: Reply | None = None
        crisis_lines = True
        with speaking(self.language_of(user)):
            if text.split("@")[0].split(" ")[0] == "/help_now":
                reply = crisis.help_now(self._config)
            elif self._at_risk(user, text):
                reply = crisis.crisis_lines(self._config)
            elif tell_slow and chat.id not in self._told_slow:
                reply, crisis_lines = Reply(t("pipeline_delayed")), False
        if reply is None:
            return False
        self._told_slow.add(chat.id)
        if crisis_lines:  # taken before sending: nothing else sends them meanwhile
            self._crisis_sent[update.update_id] = time.monotonic()
            if handling is not None:
                handling.crisis_lines_sent = True
        try:
            await send(self._bot, chat.id, reply)
        except TelegramError as error:
            self._crisis_sent.pop(update.update_id, None)
            if crisis_lines and handling is not None:
                handling.crisis_lines_sent = False
            log.warning(
                "update %s: could not answer from memory (%s)",
                update.update_id,
                type(error).__name__,
            )
            return False
        log.info("update %s answered from memory", update.update_id)
        return crisis_lines

    def language_of(self, user: User | None) -> str:
        if user is None:
            return self._config.service.language
        return languages.of_sender(self._config, self._spoken, user.id, user.language_code)

    def _at_risk(self, user: User, text: str) -> bool:
        """Their language's lexicon and English's (and the default's), as screening's first
        look: whether they are staff is in the database. Coordinators named in the
        configuration are known."""
        if user.id in self._config.coordinators.telegram_ids:
            return False
        return found_in(self._config, self.language_of(user), text) is not None
