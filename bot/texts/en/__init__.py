"""The English catalog, one module per capability, merged into one ``TEXTS``.

A text lives beside the others of the capability that uses it (``onboarding``, ``workers``,
``offers``, ``relationships``, ``checkins``, ``admin``, ``roles``, ``safety``, ``privacy``,
``evaluation``, ``console``, ``common`` for /start, /help and the fallbacks, ``forms`` for the
form engine); ``core`` holds only what several capabilities share.

A key defined in two modules is a mistake that would silently hide a text: it fails at import.
"""

from bot.texts.en import (
    admin,
    checkins,
    common,
    console,
    core,
    evaluation,
    forms,
    offers,
    onboarding,
    privacy,
    relationships,
    roles,
    safety,
    workers,
)

CONSENT_KEYS = onboarding.CONSENT_KEYS

TEXTS: dict[str, str] = {}
for _module in (
    core,
    forms,
    common,
    onboarding,
    workers,
    offers,
    relationships,
    checkins,
    admin,
    roles,
    safety,
    console,
    privacy,
    evaluation,
):
    _clash = TEXTS.keys() & _module.TEXTS.keys()
    if _clash:
        raise RuntimeError(f"text keys defined twice: {sorted(_clash)}")
    TEXTS.update(_module.TEXTS)
