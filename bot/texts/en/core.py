"""English texts that several capabilities share, and only those: buttons every form or
question has, generic replies and errors, day names, the words both profile forms use,
durations and plural fragments. A text one capability uses lives in that capability's
module (see ``bot.texts.en``). Telegram HTML: <b>, <i> and friends; parameters are escaped
by ``t``.
"""

TEXTS: dict[str, str] = {
    # -- buttons shared by forms and questions --
    "btn_done": "Done ✔",
    "btn_back": "← Back",
    "btn_skip": "Skip",
    # -- generic replies and errors --
    "stale_button_toast": "That button is from an earlier message — here's where we are now.",
    "request_stale": "That request isn't open any more.",
    "coord_input_cancelled": "OK — cancelled.",
    "edit_cancelled": "OK — nothing was changed.",
    "rematch_kept": "OK — nothing has changed.",
    "not_allowed": "Sorry, that isn't available to you.",
    "error_generic": "Sorry — something went wrong on our side and we couldn't finish that. "
    "Please try again in a moment. If you need help now, send /help_now.",
    # The update is stored (bot/pipeline/): it will be handled once the fault clears.
    "error_will_retry": "Sorry — a problem on our side means we can't deal with that just now. "
    "We have your message and will deal with it as soon as the problem is fixed, so there's "
    "no need to send it again. If you need help now, send /help_now.",
    "error_gave_up": "Sorry — something went wrong on our side and we couldn't deal with your "
    "last message. Please send it again in a moment. If you need help now, send /help_now.",
    # Telegram still holds these updates: they are fetched again once the database is back.
    "pipeline_delayed": "Sorry — we're having a technical problem and can't answer right now. "
    "We'll deal with your messages as soon as it's fixed. If you need help now, send "
    "/help_now.",
    "coord_unreachable": "{ref} has blocked the bot or deleted their account, so messages "
    "can't reach them. You may want to check in another way.",
    # -- day names (the forms' time grid, check-in days) --
    "day_short_0": "Mon",
    "day_short_1": "Tue",
    "day_short_2": "Wed",
    "day_short_3": "Thu",
    "day_short_4": "Fri",
    "day_short_5": "Sat",
    "day_short_6": "Sun",
    # -- words both profile forms (service user, peer worker) use --
    "pref_label_language": "Language",
    "pref_label_gender": "Gender",
    "pref_label_age_band": "Age",
    "pref_label_community": "Community",
    "summary_none": "None chosen",
    "summary_timezone": "times in {zone}",
    "summary_availability": "When you're free",
    # -- durations and plural fragments --
    "duration_under_a_minute": "less than a minute",
    "pause_weeks_one": "{count} week",
    "pause_weeks_other": "{count} weeks",
}
