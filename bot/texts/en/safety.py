"""English texts for safety (merged into the catalog by ``bot.texts.en``)."""

TEXTS: dict[str, str] = {
    "menu_report": "Report a problem with your peer relationship",
    "menu_concern": "Peer workers: raise a concern about someone you support",
    "menu_flags": "Open safety flags, oldest first",
}
