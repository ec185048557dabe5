"""English texts for evaluation (merged into the catalog by ``bot.texts.en``)."""

TEXTS: dict[str, str] = {
    "menu_export": "Pseudonymised evaluation export (zip)",
    "export_no_key": "The evaluation export needs a pseudonym key of at least 16 characters: "
    "set <code>[evaluation] pseudonym_key</code> in the configuration or the environment "
    "variable <code>PEERLINK_PSEUDONYM_KEY</code>, then restart the bot.",
    "export_people_one": "{count} person",
    "export_people_other": "{count} people",
    "export_caption_one": "<b>Evaluation export</b> for {service}: {count} person who agreed to "
    "evaluation.\n\n{inside}",
    "export_caption_other": "<b>Evaluation export</b> for {service}: {count} people who agreed "
    "to evaluation.\n\n{inside}",
    "export_inside": "Inside: people, relationships, check-ins and feedback (CSV files), "
    "<code>summary.md</code> with the programme's figures and how each is computed, and two "
    "charts (waiting time, check-in trend).\n\n"
    "It is pseudonymised (keyed ids, no names, Telegram ids or message content) but still "
    "confidential: keep it in the service's secure storage.",
}
