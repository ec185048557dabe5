"""English texts for evaluation (merged into the catalog by ``bot.texts.en``)."""

TEXTS: dict[str, str] = {
    "menu_export": "Pseudonymised evaluation export (zip)",
}
