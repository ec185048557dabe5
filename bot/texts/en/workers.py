"""English texts for peer workers: profile, approval, new matches, the wellbeing check-in."""

TEXTS: dict[str, str] = {
    "menu_wellbeing": "Peer workers' wellbeing, in aggregate",
    # -- peer-worker profile --
    "pw_welcome": "Welcome to the PeerLink peer worker team 🌱\n\n"
    "Let's set up your profile. Service users will see your <b>display name</b> "
    "(a first name or a pseudonym is fine), a short bio, and the experiences you choose "
    "to share. What you share is always your choice. Your Telegram account is never "
    "shown to anyone; all contact goes through this bot.\n\n"
    "A coordinator reviews your profile before you receive any requests.",
    "pw_welcome_continue": "Let's start",
    "pw_display_name": "What name should service users see?",
    "pw_bio": "Write a short, warm bio — a few sentences about you and how you like to "
    "support people.",
    "pw_perspectives": "Which lived-experience perspective do you bring?",
    "worker_perspective_consumer": "My own mental health experience (consumer)",
    "worker_perspective_carer": "Supporting someone close (carer)",
    "worker_perspective_both": "Both",
    "pw_areas": "Which experiences are you happy to share with service users? "
    "Only what you tick here is ever shown or used in matching.",
    "pw_areas_too_few": "Please choose at least one, or \u201cI'd rather not share these\u201d.",
    "worker_share_none": "I'd rather not share these",
    "pw_languages": "Which languages can you offer support in?",
    "pw_languages_too_few": "Please choose at least one language.",
    "pw_gender": "Your gender (optional — it helps people who have a preference).",
    "pw_age_band": "Your age range (optional).",
    "pw_communities": "Any communities or cultures you'd like to be matched on? (optional)",
    "option_none_of_these": "None of these",
    "pw_timezone": "Which time zone do you work in? Tap one, or type its name.",
    "pw_availability": "When in the week are you usually available for peer support? "
    "Tap every time that suits, then <b>Done</b>.",
    "pw_availability_too_few": "Please tap at least one time.",
    "pw_quiet_hours": "Quiet hours: messages from the people you support still arrive, but "
    "silently, during these hours (your time).",
    "quiet_hours_none": "No quiet hours",
    "summary_quiet_hours": "Quiet hours",
    "pw_caseload": "How many people could you support at once, at most?",
    "peer_worker_summary_title": "<b>Your profile</b>\nCheck it over — you can change anything.",
    "summary_display_name": "Display name",
    "summary_bio": "Bio",
    "summary_worker_perspective": "Perspective",
    "summary_worker_areas": "Experiences you share",
    "summary_details": "Details",
    "summary_caseload": "Maximum caseload",
    "btn_submit": "Send for approval",
    "pw_submitted": "Thank you! Your profile has gone to a coordinator for approval. "
    "I'll let you know here as soon as it's reviewed.",
    "pw_profile_saved": "Saved — your profile is up to date.",
    "pw_resume": "Welcome back — let's finish your profile.",
    "pw_cancel_onboarding": "Your profile isn't finished yet, so there's nothing to cancel — "
    "your answers are kept. Carry on whenever you're ready, or send /start to see where you "
    "were.",
    # -- approval --
    "coord_new_worker": "<b>A new peer worker profile is waiting for approval</b>\n\n{card}",
    "btn_approve": "Approve",
    "btn_reject": "Don't approve",
    "review_already_done": "That profile has already been reviewed.",
    "coord_review_done_approved": "Approved {name}.",
    "coord_review_done_rejected": "Not approved: {name}. They've been told.",
    "pw_approved": "Good news: your peer worker profile has been <b>approved</b> 🎉\n\n"
    "You'll get a message here when someone would like to be matched with you. "
    "See or change your profile, or pause new matches, with /profile.",
    "pw_rejected": "Your peer worker profile wasn't approved this time. "
    "Your coordinator will talk it through with you.",
    # -- /profile: status, and taking new matches --
    "pw_profile_home": "<b>Status:</b> {status}\n<b>New matches:</b> {taking}",
    "pw_status_approved": "approved",
    "pw_status_pending_approval": "waiting for approval",
    "pw_taking_yes": "taking new matches",
    "pw_taking_no": "paused — you won't be offered anyone new",
    "pw_taking_changed_on": "You're taking new matches again.",
    "pw_taking_changed_off": "New matches paused. Your current relationships carry on.",
    "btn_edit_profile": "Edit my profile",
    "btn_taking_on": "I'm taking new matches again",
    "btn_taking_off": "Pause new matches",
    # -- peer workers' weekly wellbeing check-in --
    "wellbeing_question_one": "Your weekly check-in 🌿 You're supporting {caseload} of up to "
    "{count} person. How are you doing this week, from 1 (struggling) to 5 (good)? Only the "
    "overall picture is shared with coordinators, unless you ask to talk.",
    "wellbeing_question_other": "Your weekly check-in 🌿 You're supporting {caseload} of up to "
    "{count} people. How are you doing this week, from 1 (struggling) to 5 (good)? Only the "
    "overall picture is shared with coordinators, unless you ask to talk.",
    "btn_wellbeing_talk": "I'd like to talk with a coordinator",
    "wellbeing_thanks": "Thank you — look after yourself.",
    "wellbeing_talk_asked": "A coordinator has been asked to get in touch.",
    "coord_wellbeing_talk": "{ref} would like to talk with a coordinator (from their weekly "
    "check-in).",
    "coord_wellbeing_one": "<b>Peer workers' wellbeing, last week</b>\n"
    "Check-ins sent: {sent}; answered: {answered}; average: {average}/5; answers of 2 or "
    "less: {low}.\nAsked to talk: {talk}",
    "coord_wellbeing_other": "<b>Peer workers' wellbeing, last {count} weeks</b>\n"
    "Check-ins sent: {sent}; answered: {answered}; average: {average}/5; answers of 2 or "
    "less: {low}.\nAsked to talk: {talk}",
    "coord_wellbeing_nobody": "nobody",
    "btn_wellbeing_on": "Turn on my weekly check-in",
    "btn_wellbeing_off": "Turn off my weekly check-in",
    "wellbeing_turned_on": "Your weekly check-in is on.",
    "wellbeing_turned_off": "Your weekly check-in is off.",
    # -- supervision (bot/workers/supervision.py) --
    "menu_supervision": "Supervision: /supervision W7",
    "sv_no_worker": "There's no peer worker with that reference.",
    "sv_no_workers": "No approved peer workers yet.",
    "sv_overview_title": "<b>Supervision</b> (last · next). Open one with /supervision W7.",
    "sv_overview_line": "{ref} {name}: {last} · {next}{overdue}",
    "sv_overdue_mark": " · <b>overdue</b>",
    "sv_card_title": "<b>Supervision: {name}</b>",
    "sv_card_never": "No session recorded yet.",
    "sv_card_last": "Last session: {when}",
    "sv_card_note": "<i>Note (coordinators only):</i> {note}",
    "sv_card_next": "Next session: {when}",
    "sv_card_no_next": "No next session set.",
    "sv_card_overdue": "⚠️ Overdue for supervision.",
    "sv_card_proposed": "<b>Topics the bot suggests</b>",
    "sv_card_theirs": "<b>Topics they would like to raise</b>",
    "sv_topic_ending": "{rel} ends on {when}: preparing the ending",
    "sv_topic_early": "{rel} ended early",
    "sv_topic_flags_one": "a safety flag was raised about someone they support",
    "sv_topic_flags_other": "{count} safety flags were raised about people they support",
    "sv_topic_wellbeing": "a low wellbeing check-in (how they are doing, not the score)",
    "sv_topic_cap": "their caseload has been at its cap for four weeks or more",
    "btn_sv_record": "Record a session",
    "sv_when_prompt": "When was the session?",
    "btn_sv_today": "Today",
    "btn_sv_days_ago_one": "{count} day ago",
    "btn_sv_days_ago_other": "{count} days ago",
    "sv_which_discussed": "Which relationships did you discuss? Tap each, then Done.",
    "sv_note_prompt": "A short note on the session, if you like (only coordinators see it). "
    "Or tap Skip.",
    "sv_next_prompt": "When is the next session?",
    "btn_sv_next_one": "In {count} week",
    "btn_sv_next_other": "In {count} weeks",
    "btn_sv_no_next": "Not set yet",
    "sv_saved": "Supervision with {worker} recorded. Next session: {next}.",
    "sv_mine_next": "Your next supervision is on <b>{when}</b>.",
    "sv_mine_no_next": "No supervision date is set yet.",
    "sv_mine_topics": "<b>Topics you'd like to raise</b>",
    "btn_sv_add_topic": "Add a topic",
    "sv_topic_prompt": "What would you like to raise at your next supervision? Write it in a "
    "few words.",
    "sv_topic_added": "Added. Your coordinator will see it before your session.",
    "sv_reminder": "Your supervision is on <b>{when}</b>. Is there anything you'd like to "
    "raise? You can add topics here.",
    "sv_reflect_offer": "Endings can be the hardest part. Would you like to write a short "
    "reflection: what went well, and what was hard? It stays yours unless you choose to "
    "share it for supervision.",
    "btn_sv_reflect": "Write a reflection",
    "btn_sv_not_now": "Not now",
    "sv_reflect_well": "What went well?",
    "sv_reflect_hard": "And what was hard?",
    "sv_reflect_saved": "Thank you. Your reflection is kept for you. Send /supervision to see "
    "it, or to share it with the coordinators.",
    "sv_reflection_title": "<b>Reflection on {rel}</b>",
    "sv_reflection_well": "Went well: {text}",
    "sv_reflection_hard": "Was hard: {text}",
    "btn_sv_share": "Share my reflection on {rel}",
    "btn_sv_unshare": "Stop sharing {rel}",
}
