"""English texts for the safety net (merged into the catalog by ``bot.texts.en``)."""

TEXTS: dict[str, str] = {
    "menu_report": "Report a problem with your peer relationship",
    "menu_concern": "Peer workers: raise a concern about someone you support",
    "menu_flags": "Open safety flags, oldest first",
    "flood_slow_down": (
        "You're sending messages very quickly, so I'm taking a one-minute pause: what you "
        "send in the next minute won't be read or passed on. Please wait a moment, then "
        "send it again.\n\n"
        "If you need help right now, please call a crisis line: /help_now"
    ),
    # -- to the person who wrote something worrying --
    "safety_crisis_lines": (
        "It sounds like things may be really hard right now. Thank you for saying it.\n\n"
        "<b>PeerLink is not a crisis service</b> and nobody may be reading this straight away. "
        "If you are in danger or thinking of harming yourself, please call now:\n"
        "{crisis_lines}\n"
        "In an emergency, call {emergency}.\n\n"
        "Our coordinators have been let know so someone can check in with you."
    ),
    "safety_worker_told": (
        "⚠️ Something {ref} just wrote raised a safety flag. They have been sent the crisis "
        "lines and the coordinators have been told. Please follow your service's safety "
        "procedure; a coordinator will be in touch."
    ),
    # -- flags, as coordinators see them --
    "safety_flag_new": "⚠️ <b>New {kind} #{id}</b>",
    "safety_flag_escalated": "🔴 <b>Still not acknowledged: {kind} #{id}</b>",
    "safety_flag_repeated": (
        "🔴 <b>{kind} #{id}: they have written something worrying again, and nobody has "
        "acknowledged it yet</b>"
    ),
    "safety_flag_title": "<b>{kind} #{id}</b>",
    "safety_flag_note_added": "📝 <b>{kind} #{id}: the reporter added a note</b>",
    "safety_kind_risk": "Risk flag",
    "safety_kind_concern": "Worker's concern",
    "safety_kind_report": "Report",
    "safety_card_who": "About: <b>{who}</b> · with: {other}",
    "safety_card_when": "Raised: {when}",
    "safety_card_what": "What: {category} · where: {source}",
    "safety_card_raised_by": "Raised by: {who}",
    "safety_card_detail": "In their words: <i>{detail}</i>",
    "safety_card_acknowledged": "✓ Acknowledged by {who}, {when}",
    "safety_card_escalated_one": "Sent again once without acknowledgement",
    "safety_card_escalated_other": "Sent again {count} times without acknowledgement",
    "safety_card_resolved": "✓ Resolved by {who}, {when}: <i>{note}</i>",
    "safety_coordinator_ref": "coordinator C{id}",
    "safety_system": "the system",
    "safety_no_worker": "no peer worker yet",
    "safety_none": "—",
    "safety_category_suicide": "suicide risk",
    "safety_category_self_harm": "self-harm",
    "safety_category_harm_to_others": "harm to others",
    "safety_category_unsafe": "not safe (abuse or violence)",
    "safety_category_worker_concern": "a peer worker is worried",
    "safety_category_report_disrespect": "report: disrespectful or hurtful",
    "safety_category_report_boundaries": "report: crossed a boundary",
    "safety_category_report_unsafe": "report: felt unsafe",
    "safety_category_report_no_show": "report: didn't turn up or reply",
    "safety_category_report_other": "report: something else",
    "safety_source_onboarding": "while signing up",
    "safety_source_safety_plan": "while writing their own safety plan (its words stay theirs)",
    "safety_source_bot": "a message to the bot",
    "safety_source_relay": "a message to their peer worker",
    "safety_source_edit": "an edited message",
    "safety_source_checkin_note": "a check-in note",
    "safety_source_survey": "the closing survey",
    "safety_source_reply": "an answer to a question from the bot",
    "safety_source_concern": "/concern",
    "safety_source_report": "/report",
    "safety_source_command": "after a command",
    "safety_source_flooded": "a message sent while they were flooding the bot",
    "safety_escalation_contact_footer": (
        "You are getting this as an escalation contact because no coordinator has "
        "acknowledged it yet. Please follow the service's escalation procedure."
    ),
    "btn_flag_acknowledge": "Acknowledge",
    "btn_flag_resolve": "Resolve with a note",
    "btn_flag_end_exclude": "End the relationship and never match this pair again",
    "btn_flag_end_exclude_yes": "Yes, end it and exclude the pair",
    "btn_flag_keep": "No, go back",
    "btn_flag_open": "#{id} {who}",
    "btn_flags_back": "◀ Older",
    "btn_flags_next": "Newer ▶",
    "safety_flag_missing": "That flag doesn't exist.",
    "safety_flag_closed": "That flag is already resolved.",
    "safety_already_acknowledged": "Someone has already acknowledged it.",
    "safety_acknowledged_toast": "Acknowledged. Resolve it with a note when it's dealt with.",
    "safety_acknowledged_by": "✓ Flag #{id} was acknowledged by {who}.",
    "safety_resolve_prompt": (
        "How was flag #{id} resolved? Send a short note (what was done, who followed up). "
        "/cancel to stop."
    ),
    "safety_end_exclude_confirm": (
        "End this relationship now and make sure this pair is never matched again? Both are "
        "told kindly that it has ended, without any detail of the report."
    ),
    "safety_end_exclude_reason": "ended by a coordinator after report #{id}",
    "safety_flags_none": "No open safety flags. 🌿",
    "safety_flags_title": "<b>Open safety flags: {count}</b> (oldest first, page {page}/{pages})",
    "safety_flags_line": "#{id} · {kind} · {who} · {age} ago · {state}",
    "safety_state_new": "<b>not acknowledged</b>",
    "safety_state_acknowledged": "acknowledged",
    "safety_repeated_reports_one": (
        "⚠️ {who} has now been reported by {count} person. Please review their relationships "
        "and supervision (/flags)."
    ),
    "safety_repeated_reports_other": (
        "⚠️ {who} has now been reported by {count} people. Please review their relationships "
        "and supervision (/flags)."
    ),
    # -- /concern (peer workers) --
    "safety_concern_workers_only": (
        "/concern is for peer workers to raise a worry about someone they support. If "
        "something about your peer relationship is wrong, use /report. If you need help "
        "right now: /help_now"
    ),
    "safety_concern_nobody": (
        "You aren't supporting anyone right now, so there's no one to raise a concern about."
    ),
    "safety_concern_which": "Who are you worried about?",
    "safety_concern_prompt": (
        "What worries you about {ref}? Write it in a message: it goes to the coordinators "
        "only, never to {ref}. /cancel to stop."
    ),
    "safety_concern_thanks": (
        "Thank you. Concern #{id} is with the coordinators, who will follow up with you.\n\n"
        "If someone is in immediate danger, call {emergency}. Crisis lines:\n"
        "{crisis_lines}"
    ),
    # -- /report --
    "safety_report_nobody": (
        "You're not in a peer support relationship right now, so there's no one to report."
    ),
    "safety_report_which": "Which relationship is this about?",
    "safety_report_reasons": (
        "I'm sorry something isn't right. What happened? Your report goes to the coordinators "
        "only — the other person is not told who reported or why."
    ),
    "btn_report_disrespect": "They were disrespectful or hurtful",
    "btn_report_boundaries": "They crossed a boundary",
    "btn_report_unsafe": "I felt unsafe",
    "btn_report_no_show": "They didn't turn up or reply",
    "btn_report_other": "Something else",
    "btn_report_cancel": "Never mind",
    "btn_report_no_note": "That's all",
    "safety_report_add_note": (
        "Thank you — the coordinators have your report. Anything you'd like to add in your "
        "own words? Write it in your next message (within 15 minutes), or tap below."
    ),
    "safety_report_thanks": (
        "Thank you for telling us. A coordinator will look at this and may contact you.\n\n"
        "PeerLink is not a crisis service. If you feel unsafe right now:\n{crisis_lines}"
    ),
    # -- my safety plan (bot/safety/plan.py) --
    "menu_safetyplan": "Your own safety plan",
    "plan_intro": "A <b>safety plan</b> is your own list of what helps when things get hard: "
    "the signs that a hard time may be coming, things you can do yourself, people and places "
    "that take your mind off things, people you can ask for help, services you can call, how "
    "to make where you are safer, and your reasons for living. Many people make one with their "
    "clinician. You can write yours here, one step at a time, and skip any step. It is yours: "
    "nobody sees it unless you choose to share it with your peer worker.",
    "btn_plan_start": "Start my plan",
    "plan_title": "<b>My safety plan</b>",
    "plan_empty": "Nothing written yet.",
    "plan_label_warning_signs": "My warning signs",
    "plan_label_coping": "Things I can do myself",
    "plan_label_distractions": "People and places that take my mind off things",
    "plan_label_people": "People I can ask for help",
    "plan_label_professionals": "Services I can contact",
    "plan_label_safer": "Making where I am safer",
    "plan_label_reasons": "My reasons for living",
    "plan_step": "<b>Step {n} of {of}</b>",
    "plan_q_warning_signs": "What are the signs that a hard time might be coming? Thoughts, "
    "feelings or things you notice yourself doing. Write them in your own words.",
    "plan_q_coping": "What can you do on your own to feel a bit better or take your mind off "
    "things? A walk, music, a shower, a pet…",
    "plan_q_distractions": "Which people or places help take your mind off things? A friend, a "
    "café, the library…",
    "plan_q_people": "Who can you ask for help when things are hard? You can add their numbers "
    "here: this plan is private to you.",
    "plan_q_professionals": "Which services or professionals can you contact? Your GP, your "
    "case manager, a crisis line…",
    "plan_q_safer": "What can you do to make where you are safer when things are hard?",
    "plan_q_reasons": "What are your reasons for living? The people, hopes or things that "
    "matter to you.",
    "plan_now": "<i>Now:</i> {text}",
    "btn_plan_stop": "Stop for now",
    "plan_stopped": "OK. What you wrote is kept. Send /safetyplan any time to carry on or change "
    "it.",
    "plan_too_long": "That's a bit long for one step. Please keep it under {limit} characters.",
    "btn_plan_change": "Change a step",
    "plan_which_step": "Which step would you like to change?",
    "btn_plan_share": "Share it with my peer worker",
    "btn_plan_unshare": "Stop sharing it",
    "plan_private": "Only you can see this plan.",
    "plan_shared": "Your peer worker can read this plan. You can stop sharing it at any time.",
    "btn_plan_delete": "Delete my plan",
    "plan_delete_confirm": "Delete your safety plan? This can't be undone.",
    "btn_plan_delete_yes": "Yes, delete it",
    "btn_plan_keep": "Keep it",
    "plan_deleted": "Your safety plan has been deleted.",
    "plan_not_for_you": "A safety plan is something people supported here can write for "
    "themselves. If you need help now, send /help_now.",
    "plan_worker_none": "Nobody you support has shared a safety plan with you.",
    "plan_of": "<b>The safety plan of {name}</b> (shared with you, to read only)",
    "plan_first_aid": "<b>From your own safety plan</b>\n\n{plan}",
    "plan_offer_onboarding": "If you like, you can also write your own safety plan here: what "
    "helps when things get hard, and who you can ask. It's private to you. Send /safetyplan "
    "any time.",
    "plan_offer_low": "Your own safety plan can help at times like this. It's private to you: "
    "send /safetyplan to write it or read it.",
}
