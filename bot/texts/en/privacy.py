"""English texts for privacy (merged into the catalog by ``bot.texts.en``)."""

TEXTS: dict[str, str] = {
    "menu_mydata": "A copy of everything we hold about you",
    "menu_consent": "See or withdraw your consents",
    "menu_delete": "Delete your data",
}
