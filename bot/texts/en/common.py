"""English texts for what everyone can do: /start, /help, /help_now, /profile, /cancel."""

TEXTS: dict[str, str] = {
    "menu_help": "What you can do",
    "menu_help_now": "Crisis lines, any time",
    "menu_profile": "See or change your profile",
    "menu_cancel": "Stop what you're in the middle of",
    "menu_language": "Choose your language",
    # -- /start, for someone already under way --
    "su_start_status": "Welcome back. Send /status to see where things are with your peer "
    "support, or /help for everything you can do.",
    "su_start_waiting": "You're <b>waiting for a peer</b>. We'll message you here as soon as "
    "there's someone to offer you. You can review your answers with /profile.",
    "pw_start_pending_approval": "Your profile is with a coordinator for approval. "
    "I'll message you here when it's reviewed.",
    "pw_start_rejected": "Your profile wasn't approved. Please talk with your coordinator; "
    "they can send you a new invite.",
    "coord_home": "Hello, coordinator of <b>{service}</b>. Your commands:\n"
    "/dashboard — the programme at a glance; everything else is a few taps from there\n"
    "/flags — open safety flags, oldest first\n"
    "/waitlist — who is waiting, and why\n"
    "/match, /match_all — match by hand, or the whole waitlist\n"
    "/invite — a one-time link for a new peer worker (/invite for Jo Smith adds a note)\n"
    "/invites — invites still within their validity, open or used, to revoke\n"
    "/pending — profiles waiting for approval\n"
    "/coordinators — who coordinates, add or remove\n"
    "/help — everything else",
    # -- everyone --
    "help_intro": "<b>{service} — peer support</b>",
    "help_service_user": "/start — begin, or see where you are\n"
    "/checkins — set, change or pause your check-ins\n"
    "/relationship — who you're matched with\n"
    "/end — end your peer support relationship\n"
    "/status — where things are with finding a peer\n"
    "/rematch — ask for a different peer, any time\n"
    "/report — tell the coordinators about a problem with your peer, privately\n"
    "/profile — see or change what you've told us\n"
    "/privacy — what we hold and why\n"
    "/mydata — a copy of everything we hold about you\n"
    "/consent — see or withdraw your consents\n"
    "/delete — delete your data\n"
    "/safetyplan — your own safety plan, private to you\n"
    "/cancel — stop what you're in the middle of\n"
    "/language — choose your language\n"
    "/help_now — crisis lines, any time",
    "help_peer_worker": "/start — where you are\n"
    "/relationship — the people you support\n"
    "/end — end a relationship early\n"
    "/concern — tell the coordinators you're worried about someone you support\n"
    "/report — report a problem in one of your relationships\n"
    "/safetyplan — safety plans shared with you\n"
    "/supervision — your next supervision, your topics and reflections\n"
    "/profile — your profile, and pausing new matches\n"
    "/privacy — what we hold and why\n"
    "/mydata — a copy of everything we hold about you\n"
    "/delete — delete your data\n"
    "/cancel — stop editing\n"
    "/language — choose your language\n"
    "/help_now — crisis lines, any time",
    "help_coordinator": "<b>Coordinator</b>\n"
    "/dashboard — the programme at a glance, with buttons into every list\n"
    "/flags — open safety flags: acknowledge, resolve with a note\n"
    "/people, /relationships — lists by status; tap one for its card and actions\n"
    "/audit — recent coordinator actions, with reasons\n"
    "/export — pseudonymised evaluation data (zip)\n"
    "/wellbeing — peer workers' weekly check-ins, in aggregate\n"
    "/supervision W7 — a worker's supervision: record a session, suggested topics\n"
    "/pause, /resume, /extend, /close R12 … reason — manage one\n"
    "/waitlist — who is waiting, and why nobody fits\n"
    "/match U12 W7 reason — offer one worker to one service user\n"
    "/match_all — batch-match the whole waitlist for review\n"
    "/invite — a one-time link for a new peer worker (/invite for Jo Smith adds a note)\n"
    "/invites — invites still within their validity, open or used, to revoke\n"
    "/pending — profiles waiting for approval\n"
    "/coordinators — who coordinates, add or remove\n\n"
    "<b>Fit</b> on a proposal card is how close a peer worker comes to the best possible match "
    "for that person under the service's matching weights: 100% would share all the lived "
    "experience they asked for, be free whenever they are, meet every nice-to-have, have room "
    "in their caseload (and be someone they asked to reconnect with). Strong means at least "
    "75%, good at least 50%, partial below that. The line under each worker gives the points "
    "for each of those out of its most. Important preferences are not points: every worker "
    "proposed meets them all.",
    # -- languages --
    "language_choose": "Which language would you like me to use? You can change it at any "
    "time with /language.",
    "language_set": "OK — from now on I'll write to you in {name}.",
    "language_current": "Language: {name}",
    "btn_language": "🌐 Change language",
    "help_footer": "<i>This is not a crisis service. If you need help now, send /help_now.</i>",
    "help_now": "<b>If you need help right now</b>\n\n{crisis_lines}\n\n"
    "If you are in immediate danger, call emergency services on {emergency}. "
    "You're not alone.",
    "profile_none": "You haven't set up a profile yet. Send /start to begin.",
    "profile_finish_first": "You're part-way through getting started — send /start to carry "
    "on, and you can review everything at the end.",
    "nothing_to_cancel": "There's nothing to cancel right now.",
    "fallback_text": "Thanks for your message. There's nothing waiting for an answer right now. "
    "Send /help to see what you can do, or /help_now if you need support straight away.",
    "fallback_media": "I can't do anything with that here, sorry. Send /help to see what you "
    "can do.",
    "unknown_command": "I don't know that command. Send /help to see the ones I understand.",
}
