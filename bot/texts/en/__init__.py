"""The English catalog, one module per capability, merged into one ``TEXTS``.

A key defined in two modules is a mistake that would silently hide a text: it fails at import.
"""

from bot.texts.en import console, core, evaluation, privacy, roles, safety

CONSENT_TEXT_VERSION = core.CONSENT_TEXT_VERSION

TEXTS: dict[str, str] = {}
for _module in (core, roles, safety, console, privacy, evaluation):
    _clash = TEXTS.keys() & _module.TEXTS.keys()
    if _clash:
        raise RuntimeError(f"text keys defined twice: {sorted(_clash)}")
    TEXTS.update(_module.TEXTS)
