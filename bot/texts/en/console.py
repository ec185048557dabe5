"""English texts for console (merged into the catalog by ``bot.texts.en``)."""

TEXTS: dict[str, str] = {
    "menu_dashboard": "The programme at a glance",
    "menu_people": "People, by status",
    "menu_audit": "Recent coordinator actions",
}
