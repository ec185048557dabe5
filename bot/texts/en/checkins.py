"""English texts for check-ins: the plan, the questions, who is told what."""

TEXTS: dict[str, str] = {
    "menu_checkins": "Your check-ins",
    # -- check-ins --
    "checkin_ask_cadence": "Would you like a short check-in now and then? It takes a few "
    "seconds: how things are going, and whether you'd like your peer to reach out.",
    "checkin_cadence_weekly": "Weekly",
    "checkin_cadence_fortnightly": "Every two weeks",
    "checkin_cadence_none": "No check-ins",
    "checkin_none_chosen": "OK — no check-ins. You can turn them on any time with /checkins.",
    "checkin_ask_day": "Which day suits you?",
    "checkin_ask_time": "And what time (your own time zone)?",
    "checkin_plan": "{cadence}, {day} at {time}{paused}",
    "cfg_checkin_plan_every": "{cadence}, every {every}{paused}",
    "cfg_every_hours": "{n} h",
    "cfg_every_minutes": "{n} min",
    "cfg_every_seconds": "{n} s",
    "checkin_paused_suffix": " (paused)",
    "checkin_plan_set": "Done: check-ins <b>{plan}</b>. Change or pause them any time with "
    "/checkins.",
    "checkin_overview": "Your check-ins: <b>{plan}</b>",
    "btn_checkin_change": "Change",
    "btn_checkin_pause": "Pause check-ins",
    "btn_checkin_resume": "Resume check-ins",
    "checkin_paused": "Check-ins paused. /checkins to resume.",
    "checkin_resumed": "Check-ins are back on.",
    "checkin_no_relationship": "Check-ins start once you're matched with a peer worker.",
    "checkin_question": "Hi 👋 A quick check-in: how are things going for you at the moment, "
    "from 1 (tough) to 5 (good)?",
    "checkin_reach_out": "Thanks. Would you like your peer worker to reach out to you?",
    "checkin_reach_out_low": "Thanks for being honest — it sounds like a hard time. Would you "
    "like your peer worker to reach out to you?\n\n<i>Your peer worker isn't on call and "
    "this is not a crisis service: if you need help now, send /help_now.</i>",
    "btn_reach_out_yes": "Yes please",
    "btn_reach_out_no": "No, I'm OK",
    "checkin_note_prompt": "Anything you'd like your peer to know? Type a short note, or tap Skip.",
    "checkin_thanks": "Thank you for checking in 🌱",
    "checkin_note_closed": "Your peer support relationship has ended, so this note wasn't "
    "passed on to anyone. If you need to talk to someone now, send /help_now.",
    "checkin_low_worker": "{ref} checked in with {score}/5. You might like to get in touch.",
    "checkin_reach_out_worker": "{ref} would like you to reach out.",
    "checkin_note_worker": "A note from {ref}'s check-in: <i>{note}</i>",
    "checkin_nudge": "Just a gentle nudge — there's a check-in waiting above whenever you "
    "have a moment. No pressure.",
    "checkin_missed_worker_one": "{ref} hasn't answered their last check-in. This may be "
    "nothing — you might like to say hello.",
    "checkin_missed_worker_other": "{ref} hasn't answered their last {count} check-ins. This "
    "may be nothing — you might like to say hello.",
    "checkin_missed_coordinator_one": "{ref} hasn't answered their last check-in. Silence "
    "alone isn't a crisis, but their peer worker may need support.",
    "checkin_missed_coordinator_other": "{ref} hasn't answered {count} check-ins in a row. "
    "Silence alone isn't a crisis, but their peer worker may need support.",
    "first_contact_nudge": "You haven't been in touch with {ref} yet. A first contact soon "
    "makes a real difference — send a message here to say hello.",
    "first_contact_coordinator": "{ref} and their peer worker {worker} haven't been in touch "
    "since they were matched.",
}
