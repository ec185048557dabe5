"""Pseudonymous ids: a keyed hash of the internal id, stable while the key stays the same.

The key links exports over time without linking them back to anyone; it is never written
into an export.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.config import Config

MIN_KEY_LENGTH = 16


def key_is_usable(config: Config) -> bool:
    return len(config.evaluation.pseudonym_key.strip()) >= MIN_KEY_LENGTH


class Pseudonymiser:
    def __init__(self, key: str) -> None:
        if len(key.strip()) < MIN_KEY_LENGTH:
            raise ValueError(f"a pseudonym key needs at least {MIN_KEY_LENGTH} characters")
        self._key = key.encode("utf-8")

    def _digest(self, kind: str, internal_id: int) -> str:
        message = f"{kind}:{internal_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:16]

    def person(self, person_id: int) -> str:
        return "P-" + self._digest("person", person_id)

    def relationship(self, relationship_id: int) -> str:
        return "R-" + self._digest("relationship", relationship_id)
