"""English texts of the form engine (bot.forms.engine): step buttons, validation, times of day."""

TEXTS: dict[str, str] = {
    # -- buttons shared by forms --
    "btn_keep": "Keep it as it is",
    "btn_edit": "Edit: {section}",
    "btn_confirm": "That's right — confirm",
    # -- form mechanics --
    "form_text_limit": "<i>Up to {limit} characters.</i>",
    "form_text_current": "Right now it says: <i>{value}</i>",
    "form_use_buttons": "Please choose with the buttons on the message below — "
    "that way nothing gets lost.",
    "form_check_again": "One answer needs another look before we can save — here it is again.",
    "form_text_empty": "That looks empty — could you type a few words?",
    "form_text_too_long": "That's a little long ({length} characters). "
    "Could you shorten it to {limit} or fewer?",
    "form_timezone_unknown": "I couldn't recognise that time zone. Please pick one below, "
    "or type a name like <i>Australia/Brisbane</i> or <i>Europe/London</i>.",
    "weight_important": "Important to me",
    "weight_nice": "Nice to have",
    "weight_none": "Doesn't matter",
    "grid_cell": "{day} {part}",  # a day and a part of it: "Tue evening", "Tue eve"
    "part_morning": "Morning",
    "part_afternoon": "Afternoon",
    "part_evening": "Evening",
    "part_short_morning": "am",
    "part_short_afternoon": "pm",
    "part_short_evening": "eve",
    # -- summary sections ("Edit: …") --
    "section_experience": "experience",
    "section_preferences": "preferences",
    "section_availability": "availability",
    "section_goal": "what I'm moving toward",
    "section_about": "name and bio",
    "section_details": "languages and details",
    "section_caseload": "caseload",
}
