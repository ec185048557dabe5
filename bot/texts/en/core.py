"""English texts shared by every capability. Telegram HTML: <b>, <i> and friends; parameters
are escaped by ``t``.

Change CONSENT_TEXT_VERSION whenever the welcome, privacy or consent wording changes: every
consent record stores the version the person was shown.
"""

CONSENT_TEXT_VERSION = "en-2026-11-2"

TEXTS: dict[str, str] = {
    # -- buttons shared by forms --
    "btn_done": "Done ✔",
    "btn_back": "← Back",
    "btn_skip": "Skip",
    "btn_keep": "Keep it as it is",
    "btn_edit": "Edit: {section}",
    "btn_confirm": "That's right — confirm",
    "btn_submit": "Send for approval",
    "btn_approve": "Approve",
    "btn_reject": "Don't approve",
    "btn_reject_without_reason": "Don't approve, no reason",
    "btn_revoke": "Revoke this invite",
    "btn_revoke_numbered": "Revoke invite {id}",
    "btn_edit_profile": "Edit my profile",
    "btn_taking_on": "I'm taking new matches again",
    "btn_taking_off": "Pause new matches",
    "btn_remove_coordinator": "Remove coordinator #{id}",
    "btn_add_coordinator": "Invite a new coordinator",
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
    "stale_button_toast": "That button is from an earlier message — here's where we are now.",
    "weight_important": "Important to me",
    "weight_nice": "Nice to have",
    "weight_none": "Doesn't matter",
    "option_no_preference": "No preference",
    "option_prefer_not_to_say": "I'd rather not say",
    "option_none_of_these": "None of these",
    "day_short_0": "Mon",
    "day_short_1": "Tue",
    "day_short_2": "Wed",
    "day_short_3": "Thu",
    "day_short_4": "Fri",
    "day_short_5": "Sat",
    "day_short_6": "Sun",
    "part_morning": "Morning",
    "part_afternoon": "Afternoon",
    "part_evening": "Evening",
    "part_short_morning": "am",
    "part_short_afternoon": "pm",
    "part_short_evening": "eve",
    "section_experience": "experience",
    "section_preferences": "preferences",
    "section_availability": "availability",
    "section_goal": "what I'm moving toward",
    "section_about": "name and bio",
    "section_details": "languages and details",
    "section_caseload": "caseload",
    "summary_none": "None chosen",
    "summary_no_preferences": "No particular preferences",
    "summary_not_shared": "Not shared",
    "summary_timezone": "times in {zone}",
    # -- service-user onboarding --
    "su_welcome": "Hello, and welcome to peer support at <b>{service}</b> 👋\n\n"
    "A <b>peer worker</b> is someone who has lived through mental health challenges — "
    "their own, or supporting someone close — and is trained to walk alongside others. "
    "Here you can be matched with one and talk with them through this chat. "
    "Your Telegram account stays private: they never see it, and you never see theirs.\n\n"
    "<b>This is not a crisis service.</b> Messages aren't watched around the clock. "
    "If you need help right now, please contact:\n{crisis_lines}\n"
    "You can send /help_now at any time to see these again.",
    "su_welcome_continue": "Continue",
    "su_privacy": "<b>Your privacy</b>\n\n"
    "We only ask what helps us find you a good peer. Your answers are seen by the "
    "peer support coordinators and, once you're matched, a short summary by your peer worker. "
    "You can see or change your answers at any time with /profile, and /privacy explains "
    "what we hold and why.\n\n"
    "<b>Limits of confidentiality:</b> if something you share makes us worried that you or "
    "someone else is at serious risk of harm, a coordinator may need to act on it to keep "
    "people safe. We'd always try to talk with you first.\n\n"
    "Telegram chats with bots are not end-to-end encrypted, so please keep very sensitive "
    "details out of your messages.",
    "su_privacy_continue": "I understand — continue",
    "su_consent_matching": "<b>Consent 1 of 3</b>\n\n"
    "Is it OK for us to use your answers to find a peer worker who suits you? "
    "This is needed for matching.",
    "su_consent_contact": "<b>Consent 2 of 3</b>\n\n"
    "Is it OK for a peer worker to contact you through this bot once you're matched? "
    "This is needed for peer support.",
    "su_consent_evaluation": "<b>Consent 3 of 3 (optional)</b>\n\n"
    "May we use your answers, with your name and Telegram details removed, to help "
    "the service understand and improve peer support? Saying no changes nothing about "
    "the support you get.",
    "consent_yes": "Yes, that's OK",
    "consent_no": "No thanks",
    "consent_evaluation_yes": "Yes, you may",
    "consent_evaluation_no": "No, please don't",
    "su_declined": "That's completely OK — thank you for letting us know. "
    "We haven't kept any of your answers, only that you said no.\n\n"
    "If you change your mind, just send /start and we can begin again.\n\n"
    "If you need support right now:\n{crisis_lines}",
    "su_perspective": "Which fits you best?",
    "perspective_consumer": "My own mental health experience",
    "perspective_carer": "Supporting someone close to me (carer)",
    "su_areas": "What experiences would you value your peer worker having been through? "
    "Choose as many as you like, then tap <b>Done</b>.\n\n"
    "<i>This is entirely up to you — you don't need to share a diagnosis.</i>",
    "su_areas_too_few": "Please choose at least one option, or \u201cI'd rather not say\u201d.",
    "su_pref_language": "Which languages would you be comfortable talking in? "
    "Choose any, then tap <b>Done</b>.",
    "su_pref_language_too_few": "Please choose at least one language.",
    "su_pref_language_weight": "How much does it matter that your peer speaks one of these?",
    "su_pref_gender": "Would you prefer a peer worker of a particular gender?",
    "su_pref_gender_too_few": "Please choose one or more, or \u201cNo preference\u201d.",
    "su_pref_gender_weight": "How much does your peer worker's gender matter to you?",
    "su_pref_age_band": "Would you prefer a peer worker of a particular age?",
    "su_pref_age_band_too_few": "Please choose one or more, or \u201cNo preference\u201d.",
    "su_pref_age_band_weight": "How much does your peer worker's age matter to you?",
    "su_pref_community": "Would you like a peer worker who shares a community or culture with you?",
    "su_pref_community_too_few": "Please choose one or more, or \u201cNo preference\u201d.",
    "su_pref_community_weight": "How much does this matter to you?",
    "pref_label_language": "Language",
    "pref_label_gender": "Gender",
    "pref_label_age_band": "Age",
    "pref_label_community": "Community",
    "su_timezone": "Which time zone are you in? Tap one, or type its name "
    "(like <i>Australia/Perth</i>).",
    "su_availability": "When in the week would you usually be free to talk? "
    "Tap every time that suits, then <b>Done</b>.\n\n"
    "<i>am = morning, pm = afternoon, eve = evening, in your own time zone.</i>",
    "su_availability_too_few": "Please tap at least one time that suits you.",
    "su_goal": "Last one, and it's optional: is there something you'd like to move toward "
    "with the help of a peer? (For example: getting out more, feeling less alone, "
    "going back to study.) Type a few words, or tap <b>Skip</b>.",
    "service_user_summary_title": "<b>Here's what you've told us</b>\n"
    "Check it over — you can change anything.",
    "summary_perspective": "Your perspective",
    "summary_areas": "Experiences you'd value in a peer",
    "summary_preferences": "Preferences",
    "summary_availability": "When you're free",
    "summary_goal": "What you'd like to move toward",
    # -- what their peer worker may call a service user --
    "name_prompt": "What would you like your peer worker to call you?\n\n"
    "A first name, a nickname — any name you're happy with. Only the peer worker you're "
    "matched with sees it (and the coordinators, if you say so next). "
    "Type it, or tap <b>Skip</b> and they'll see a reference number instead.",
    "name_no_line_breaks": "Just the name on one line is plenty — could you type it again?",
    "name_clear": "Don't use a name",
    "name_visible_prompt": "May the peer support coordinators see this name too? If not, "
    "they see only your reference number. Your peer worker sees it either way.",
    "name_visible_no": "No — only my peer worker",
    "name_visible_yes": "Yes, coordinators may see it too",
    "name_section": "what my peer calls me",
    "name_summary": "What your peer worker calls you",
    "name_summary_worker_only": "{name} (only your peer worker sees it)",
    "name_summary_coordinators_too": "{name} (your peer worker and the coordinators see it)",
    "name_summary_none": "No name — your peer worker sees only a reference number",
    "su_waiting": "Thank you — you're all set, and you're now <b>waiting for a peer</b>.\n\n"
    "Here's what happens next: a coordinator at {service} looks for a peer worker who fits "
    "what you've told us, and you'll get a message here to see who it is and say yes or no. "
    "Sometimes this takes a little while, depending on who is available — "
    "we'll be honest with you about it.\n\n"
    "You can look at or change your answers any time with /profile.",
    "su_start_status": "Welcome back. Send /status to see where things are with your peer "
    "support, or /help for everything you can do.",
    "su_profile_saved": "Saved — your profile is up to date.",
    "su_resume": "Welcome back — let's carry on where you left off.",
    "su_cancelled": "Stopped. I've discarded your answers so far. "
    "Whenever you'd like to begin again, send /start.",
    "edit_cancelled": "OK — nothing was changed.",
    "su_start_waiting": "You're <b>waiting for a peer</b>. We'll message you here as soon as "
    "there's someone to offer you. You can review your answers with /profile.",
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
    "pw_submitted": "Thank you! Your profile has gone to a coordinator for approval. "
    "I'll let you know here as soon as it's reviewed.",
    "pw_profile_saved": "Saved — your profile is up to date.",
    "pw_resume": "Welcome back — let's finish your profile.",
    "pw_cancel_onboarding": "Your profile isn't finished yet, so there's nothing to cancel — "
    "your answers are kept. Carry on whenever you're ready, or send /start to see where you "
    "were.",
    "pw_approved": "Good news: your peer worker profile has been <b>approved</b> 🎉\n\n"
    "You'll get a message here when someone would like to be matched with you. "
    "See or change your profile, or pause new matches, with /profile.",
    "pw_rejected": "Your peer worker profile wasn't approved this time. "
    "Your coordinator will talk it through with you.",
    "pw_start_pending_approval": "Your profile is with a coordinator for approval. "
    "I'll message you here when it's reviewed.",
    "pw_start_rejected": "Your profile wasn't approved. Please talk with your coordinator; "
    "they can send you a new invite.",
    "pw_profile_home": "<b>Status:</b> {status}\n<b>New matches:</b> {taking}",
    "pw_status_approved": "approved",
    "pw_status_pending_approval": "waiting for approval",
    "pw_taking_yes": "taking new matches",
    "pw_taking_no": "paused — you won't be offered anyone new",
    "pw_taking_changed_on": "You're taking new matches again.",
    "pw_taking_changed_off": "New matches paused. Your current relationships carry on.",
    # -- invites --
    "invite_invalid": "That invite link isn't valid. Please check it with your coordinator.",
    "invite_expired": "That invite link has expired. Please ask your coordinator for a new one.",
    "invite_used": "That invite link has already been used. Please ask your coordinator "
    "for a new one.",
    "invite_revoked": "That invite link was withdrawn. Please ask your coordinator for a new one.",
    # -- coordinators --
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
    "coord_welcome_new": "You're now a <b>coordinator</b>. Send /help to see what you can do.",
    "coord_invite_created": "Here's a one-time invite for a new peer worker. "
    "Send it to them privately:\n\n{link}\n\nIt works once and expires on {expires}.",
    "coord_invite_created_coordinator": "Here's a one-time invite for a new "
    "<b>coordinator</b>. Send it to them privately:\n\n{link}\n\n"
    "It works once and expires on {expires}.",
    "coord_no_invites": "There are no open invites.",
    "role_peer_worker": "peer worker",
    "role_coordinator": "coordinator",
    "coord_invite_revoked": "Invite revoked.",
    "coord_invite_not_revocable": "That invite is already used, revoked or gone.",
    "coord_new_worker": "<b>A new peer worker profile is waiting for approval</b>\n\n{card}",
    "coord_no_pending": "No profiles are waiting for approval.",
    "coord_pending_title_one": "<b>{count} profile waiting for approval</b>",
    "coord_pending_title_other": "<b>{count} profiles waiting for approval</b>",
    "coord_review_done_approved": "Approved {name}.",
    "coord_review_done_rejected": "Not approved: {name}. They've been told.",
    "review_already_done": "That profile has already been reviewed.",
    "coord_reject_reason": "Not approving {name}. Please send a short reason for the record "
    "(they won't see it), or tap the button.",
    "coord_input_cancelled": "OK — cancelled.",
    "coord_coordinators_title": "<b>Coordinators</b>",
    "coord_coordinator_line": "#{id} — {source}{you}",
    "coord_source_config": "from the configuration",
    "coord_source_invite": "invited",
    "coord_you": " (you)",
    "coord_not_removable": "That coordinator is not active any more.",
    "coord_config_not_removable": "That coordinator is set in the configuration file; "
    "remove them there.",
    "coord_cannot_remove_self": "You can't remove yourself; ask another coordinator.",
    "coord_you_were_removed": "You are no longer a coordinator.",
    "not_allowed": "Sorry, that isn't available to you.",
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
    "/cancel — stop what you're in the middle of\n"
    "/help_now — crisis lines, any time",
    "help_peer_worker": "/start — where you are\n"
    "/relationship — the people you support\n"
    "/end — end a relationship early\n"
    "/concern — tell the coordinators you're worried about someone you support\n"
    "/report — report a problem in one of your relationships\n"
    "/profile — your profile, and pausing new matches\n"
    "/privacy — what we hold and why\n"
    "/mydata — a copy of everything we hold about you\n"
    "/delete — delete your data\n"
    "/cancel — stop editing\n"
    "/help_now — crisis lines, any time",
    "help_coordinator": "<b>Coordinator</b>\n"
    "/dashboard — the programme at a glance, with buttons into every list\n"
    "/flags — open safety flags: acknowledge, resolve with a note\n"
    "/people, /relationships — lists by status; tap one for its card and actions\n"
    "/audit — recent coordinator actions, with reasons\n"
    "/export — pseudonymised evaluation data (zip)\n"
    "/wellbeing — peer workers' weekly check-ins, in aggregate\n"
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
    "in their caseload (and be someone they asked to reconnect with). Strong is 75% or more, "
    "good 50% or more, partial below. The line under each worker gives the points for each of "
    "those out of its most. Important preferences are not points: every worker proposed meets "
    "them all.",
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
    "error_generic": "Sorry — something went wrong on our side. Nothing you've told us is lost; "
    "please try again in a moment. If you need help now, send /help_now.",
    # -- command menus --
    "menu_help": "What you can do",
    "menu_help_now": "Crisis lines, any time",
    "menu_profile": "See or change your profile",
    "menu_privacy": "What we hold and why",
    "menu_cancel": "Stop what you're in the middle of",
    "menu_invite": "Invite a new peer worker",
    "menu_invites": "Open invites",
    "menu_pending": "Profiles waiting for approval",
    "menu_coordinators": "Manage coordinators",
    # -- offers: service users --
    "offer_intro_one": "<b>Good news — we've found a peer worker who could be a good "
    "fit.</b>\nTake your time. Choose them, or tell us if they don't feel right — "
    "no reason needed.",
    "offer_intro_other": "<b>Good news — we've found {count} peer workers who could be a good "
    "fit.</b>\nTake your time. Choose one, or tell us none of these feel right — "
    "no reason needed.",
    "offer_worker": "<b>{name}</b>\n<i>{bio}</i>",
    "btn_choose": "Choose {name}",
    "btn_not_now": "Not now",
    "btn_none_of_these": "None of these",
    "btn_find_me_a_peer": "Find me a peer",
    "offer_request_sent": "Thank you. We've asked <b>{name}</b>; they have up to {within} "
    "to reply, and we'll let you know here as soon as they do.",
    "offer_stale": "That choice isn't open any more — send /status to see where things are.",
    "offer_worker_just_filled": "Sorry — that peer worker has just become unavailable. "
    "Here are the others again:",
    "offer_looking_again": "OK. We're looking again, and we'll message you here.",
    "offer_not_now": "No problem — we've stopped looking for now. Whenever you're ready, "
    "tap the button or send /status.",
    "offer_nobody_yet": "Right now there isn't a peer worker free who fits what you asked for. "
    "That's about who is available, not about you. You're on our waitlist and we'll "
    "message you here as soon as someone fits; you can check any time with /status.",
    "request_declined_user": "The peer worker we asked can't take this on right now — "
    "that's about their capacity, not about you. We're looking again.",
    "request_expired_user": "We haven't heard back from the peer worker in time, so we're "
    "looking again for you.",
    "request_accepted_user": "<b>{name}</b> would be glad to support you 🌱 You can talk "
    "right here: anything you send in this chat goes to {name} privately, and their replies "
    "come back here. Neither of you sees the other's Telegram account. You can ask for a "
    "different peer at any time with /rematch — no reason needed.\n\n<i>{name} isn't on "
    "call, and this is not a crisis service: if you need help urgently, send /help_now.</i>",
    "status_none": "You haven't finished getting started yet. Send /start to carry on.",
    "status_waiting": "You're <b>waiting for a peer</b> (for {waited} so far). We'll message "
    "you here as soon as there's someone to offer you.",
    "status_offered": "There are peer workers for you to choose from:",
    "status_requested": "We've asked a peer worker and are waiting for their reply.",
    "status_matched": "You're matched with a peer worker. Send /rematch if you'd like a "
    "different peer.",
    "status_not_now": "We've paused looking for a peer for you.",
    "rematch_nothing": "You don't have a peer worker right now, so there's nothing to change. "
    "Send /status to see where things are.",
    "rematch_confirm": "Would you like a different peer worker? You don't need to give a "
    "reason, and we'll let them know kindly.",
    "btn_rematch_yes": "Yes, find me someone else",
    "btn_rematch_no": "No, keep things as they are",
    "rematch_kept": "OK — nothing has changed.",
    "rematch_done": "Done. We're looking for a new peer worker for you.",
    # -- offers: peer workers --
    "request_intro": "<b>{ref} would like you as their peer worker</b>",
    "request_reminder": "<b>Reminder:</b> {ref} is waiting for your answer",
    "request_perspective": "Perspective: {perspective}",
    "request_shared": "You share: {areas}",
    "request_times": "You're both free (your time): {times}",
    "request_goal": "They'd like to move toward: <i>{goal}</i>",
    "request_respond_by": "Please answer by {when}.",
    "btn_accept": "Accept",
    "btn_decline": "Decline",
    "request_accepted_worker": "Thank you — you're now matched with {ref}. A first contact "
    "soon makes a real difference: send a message here in the next few days to say hello. "
    "Reply to one of their messages to answer them; your Telegram account stays private.",
    "request_declined_worker": "Thanks for letting us know — we'll find someone else for "
    "them. If you like, tell us why (optional):",
    "decline_reason_capacity": "I don't have capacity right now",
    "decline_reason_fit": "I don't think I'm the right fit",
    "decline_reason_other": "Something else",
    "decline_reason_saved": "Thanks — noted.",
    "request_expired_worker": "A request to you has expired without an answer, so we've "
    "offered the person someone else. If you're away, you can pause new matches in /profile.",
    "request_stale": "That request isn't open any more.",
    "rematch_worker": "{ref} has decided to look for a different peer worker. This happens, "
    "and it's not a judgement on you. Thank you for your support.",
    # -- offers: coordinators --
    "coord_proposal_title": "<b>Proposal #{id}</b> for {ref} (waiting {waited})",
    "coord_proposal_candidate": "{rank}. <b>{name}</b> ({ref}) — {fit}\n{reasons}\n<i>{points}</i>",
    "fit_value": "fit <b>{percent}%</b> ({band})",
    "fit_value_tied": "fit <b>{percent}%</b> ({band}), the same as {others}",
    "fit_unscored": "picked by hand (no fit score)",
    "fit_band_strong": "strong",
    "fit_band_good": "good",
    "fit_band_partial": "partial",
    "fit_lived_experience": "shared experience {points}/{most}",
    "fit_availability": "times in common {points}/{most}",
    "fit_preferences": "nice-to-haves {points}/{most}",
    "fit_load": "room in caseload {points}/{most}",
    "fit_continuity": "reconnecting {points}/{most}",
    "fit_important": "meets all their important preferences ({which})",
    "coord_proposal_ruled_out": "<i>Other workers ruled out by: {why}</i>",
    "btn_offer_top_one": "Offer the top one",
    "btn_offer_top_other": "Offer the top {count}",
    "btn_offer_only": "Offer only {name}",
    "btn_hold": "Hold",
    "proposal_offered": "Offered to {ref}.",
    "proposal_held": "Held — {ref} stays on the waitlist.",
    "proposal_already_decided": "This proposal has already been decided.",
    "coord_repeated_declines_one": "{ref}'s requests have been declined or expired {count} "
    "time. You may want to look at their waitlist entry (/waitlist).",
    "coord_repeated_declines_other": "{ref}'s requests have been declined or expired {count} "
    "times. You may want to look at their waitlist entry (/waitlist).",
    "coord_long_wait": "{ref} has been waiting {waited} for a peer. Why nobody fits: {why}.",
    "coord_waitlist_empty": "Nobody is waiting for a peer.",
    "coord_waitlist_title": "<b>Waiting for a peer: {count}</b>",
    "coord_waitlist_line": "{ref} — {waited} — {state} {why}",
    "su_state_waiting": "waiting",
    "su_state_offered": "choosing from an offer",
    "su_state_requested": "a worker has been asked",
    "su_state_not_now": "paused (not now)",
    "su_state_matched": "matched",
    "coord_match_usage": "Usage: /match U12 W7 reason for the match (the reason is recorded).",
    "coord_match_unknown_user": "I can't find that service user.",
    "coord_match_unknown_worker": "I can't find an approved peer worker with that reference.",
    "coord_match_not_waiting": "That service user isn't waiting for a peer right now.",
    "coord_match_warning": "⚠️ This pair breaks a hard constraint: <b>{constraint}</b>. "
    "Match anyway? Your reason will be recorded with the override.",
    "btn_match_anyway": "Match anyway",
    "btn_cancel": "Cancel",
    "coord_match_offered": "Offered. The service user can accept or decline.",
    "coord_match_all_nobody": "Nobody on the waitlist is free for a new proposal.",
    "coord_match_all_title_one": "<b>Batch matching</b>: {count} proposal, {unassigned} still "
    "without a fit. Review it below.",
    "coord_match_all_title_other": "<b>Batch matching</b>: {count} proposals, {unassigned} "
    "still without a fit. Review each below.",
    "constraint_unavailable": "no capacity",
    "constraint_excluded": "excluded",
    "constraint_perspective": "perspective",
    "constraint_language": "language",
    "constraint_availability": "availability",
    "constraint_gender": "gender",
    "constraint_age_band": "age",
    "constraint_community": "community",
    "blocking_none": "no peer workers yet",
    "reason_shared_experience": "You both have experience of: {areas}",
    "reason_common_times": "{times} suit you both",
    "reason_language": "Speaks {languages}",
    "reason_gender": "Matches your preference ({value})",
    "reason_age_band": "In the age range you'd like ({value})",
    "reason_community": "Shares your community ({value})",
    "reason_continuity": "Someone you asked to reconnect with",
    "reason_lighter_caseload": "Has room in their caseload",
    "reason_none": "No particular reasons",
    "duration_years_one": "{count} year",
    "duration_years_other": "{count} years",
    "duration_weeks_one": "{count} week",
    "duration_weeks_other": "{count} weeks",
    "duration_days_one": "{count} day",
    "duration_days_other": "{count} days",
    "duration_hours_one": "{count} hour",
    "duration_hours_other": "{count} hours",
    "duration_minutes_one": "{count} minute",
    "duration_minutes_other": "{count} minutes",
    "duration_seconds_one": "{count} second",
    "duration_seconds_other": "{count} seconds",
    "duration_under_a_minute": "less than a minute",
    "menu_status": "Where things are",
    "menu_rematch": "Ask for a different peer",
    "menu_waitlist": "Who is waiting, and why",
    "menu_match": "Match by hand: /match U12 W7 reason",
    "menu_match_all": "Batch-match the waitlist",
    # -- the relay and the relationship --
    "relay_no_peer": "Your message hasn't gone to anyone: {status} Send /status to see "
    "where things are, or /help_now if you need support straight away.",
    "relay_status_waiting": "you don't have a peer worker yet.",
    "relay_status_offered": "you haven't chosen a peer worker yet.",
    "relay_status_requested": "the peer worker you chose hasn't accepted yet.",
    "relay_status_not_now": "we've paused looking for a peer for you.",
    "relay_status_ended": "your peer support relationship has ended. Send /rematch for a new peer.",
    "relay_status_matched": "your peer support is paused at the moment.",
    "relay_worker_nobody": "You have nobody to message right now — your relationships "
    "have ended or are paused. Your message hasn't gone to anyone.",
    "relay_who_is_this_for": "You support more than one person — who is this message for? "
    "(Tip: reply to one of their messages and it goes to them directly.)",
    "relay_from": "From {ref}",
    "relay_who_toast": "Reply to this message to answer this person.",
    "relay_sent": "Sent",
    "relay_undeliverable": "Sorry — your message couldn't be delivered: the other person "
    "can't receive messages from the bot right now. A coordinator can help.",
    "relay_failed": "Sorry — your message couldn't be delivered just now. Please try again.",
    "relay_edited": "✏️ The message above was edited by the sender.",
    "relationship_none": "You're not in an active peer support relationship right now.",
    "relationship_title": "<b>Your peer support</b>",
    "relationship_line": "• {who} — since {since}, planned to end {ends}; next check-in "
    "{checkin} ({messages} so far)",
    "relationship_messages_one": "{count} message",
    "relationship_messages_other": "{count} messages",
    "end_confirm": "Do you want to end this peer support relationship now? The other person "
    "will be told kindly. You don't need to give a reason.",
    "btn_end_done": "Yes, end it — it's done what I needed",
    "btn_end_fit": "Yes, end it — it isn't the right fit",
    "btn_end_unsaid": "Yes, end it (I'd rather not say why)",
    "end_which": "Which relationship would you like to end?",
    "btn_end_with": "End with {ref}",
    "btn_end_keep": "No, keep going",
    "closing_user_service_user": "Your peer support relationship has ended. Thank you for "
    "taking part.\n\nSupports you can keep using:\n{supports}\n\nIf you need help right "
    "now:\n{crisis_lines}\n\nWhenever you'd like a new peer worker, send /rematch.",
    "closing_worker_service_user": "{ref} has decided to end your peer support relationship. "
    "This happens, and it's not a judgement on you. The chat is closed and your place is free "
    "again. Thank you for your support.",
    "closing_user_peer_worker": "Your peer worker has had to end your peer support "
    "relationship. This isn't about you.\n\nSupports you can keep using:\n{supports}\n\n"
    "If you need help right now:\n{crisis_lines}\n\nWhenever you'd like a new peer worker, "
    "send /rematch.",
    "closing_worker_peer_worker": "Your relationship with {ref} has ended; they've been told "
    "kindly. The chat is closed and your place is free again.",
    "status_ended": "Your peer support relationship has ended. Send /rematch whenever you'd "
    "like a new peer worker.",
    "su_state_ended": "relationship ended",
    "menu_relationship": "Who you're matched with",
    "menu_end": "End your peer support relationship",
    # -- ending well --
    "closure_reminder_user": "A gentle reminder: your peer support is planned to end on "
    "<b>{when}</b>. It's a good time to talk with your peer about what you've achieved and "
    "what support you'd like afterwards.",
    "closure_reminder_worker": "Your relationship with {ref} is planned to end on <b>{when}</b>. "
    "Your ending checklist — tick as you go:",
    "checklist_goals": "Goals reviewed together",
    "checklist_supports": "Other supports arranged",
    "checklist_handoff": "Warm hand-off done (where needed)",
    "checklist_future": "Future contact made clear",
    "closing_user_plan": "<b>Your peer support has come to its planned end.</b> Thank you for "
    "taking part — we hope it helped.\n\nSupports you can keep using:\n{supports}\n\n"
    "If you need help right now:\n{crisis_lines}\n\nIf you'd like a new peer worker, you can "
    "ask with /rematch from {when}.",
    "closing_no_supports": "• Your GP or care team",
    "closing_worker_plan": "Your relationship with {ref} has reached its planned end and the chat "
    "is now closed. Your place is free again. Thank you for your support — endings can be "
    "hard; do talk it over in supervision.",
    "survey_rating": "One last thing, and it's optional: how helpful was your peer support, "
    "from 1 (not at all) to 5 (very)?",
    "survey_recommend": "Would you recommend peer support to someone in a similar situation?",
    "survey_yes": "Yes",
    "survey_no": "No",
    "survey_outcome": "How much do you agree, from 1 (not at all) to 5 (very much)?\n\n"
    "<i>{statement}</i>",
    "survey_comment": "Anything else you'd like to tell us about your peer support? Type a few "
    "words, or tap Skip.",
    "survey_thanks": "Thank you — your answers help the service improve peer support.",
    "rematch_cooldown": "You can ask for a new peer worker from {when}. In the meantime, "
    "/help_now shows the crisis lines.",
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
    "menu_checkins": "Your check-ins",
    "coord_unreachable": "{ref} has blocked the bot or deleted their account, so messages "
    "can't reach them. You may want to check in another way.",
    # -- coordinators: relationships --
    "relationship_status_requested": "worker asked",
    "relationship_status_active": "active",
    "relationship_status_paused": "paused",
    "coord_pause_usage": "Usage: /pause R12 2w reason (the review is in 2 weeks; the reason is "
    "recorded). Only an active relationship can be paused.",
    "coord_resume_usage": "Usage: /resume R12 reason. Only a paused relationship can resume.",
    "coord_extend_usage": "Usage: /extend R12 4w reason — moves the planned end 4 weeks later.",
    "coord_close_usage": "Usage: /close R12 reason — ends it now with the usual closing steps.",
    "coord_done": "Done: {ref}. Both have been told.",
    "paused_user": "Your peer support is paused for now — take the time you need. We'll look at "
    "it again around {when}. If you need help now, send /help_now.",
    "paused_worker": "Your relationship with {ref} is paused (review around {when}). No "
    "check-ins go out meanwhile, and the end date moves on by the paused time.",
    "resumed_user": "Your peer support is back on. It's now planned to end on {when}.",
    "resumed_worker": "Your relationship with {ref} has resumed; it's now planned to end on "
    "{when}.",
    "extended_user": "Good news: your peer support has been extended. It's now planned to end "
    "on {when}.",
    "extended_worker": "Your relationship with {ref} has been extended to {when}.",
    "closing_user_coordinator": "<b>Your peer support relationship has ended.</b> Thank you for "
    "taking part.\n\nSupports you can keep using:\n{supports}\n\nIf you need help right "
    "now:\n{crisis_lines}\n\nIf you'd like a new peer worker, you can ask with /rematch from "
    "{when}.",
    "closing_worker_coordinator": "Your relationship with {ref} has been closed by a coordinator, "
    "and the chat is closed. Your place is free again. Thank you for your support.",
    "menu_relationships": "Open relationships",
    "btn_pause_with": "Pause with {ref}",
    "worker_pause_ask": "Pause for how long? (For example during a hospital stay.) No check-ins "
    "go out while paused, and the end date moves on by the paused time. A coordinator will "
    "review it.",
    "pause_weeks_one": "{count} week",
    "pause_weeks_other": "{count} weeks",
    "coord_worker_paused": "A peer worker paused {ref} ({reason}). /resume {ref} reason when "
    "it can carry on.",
    "coord_pause_review": "{ref} has been paused until today: time to review it (/resume or "
    "/close).",
    "menu_wellbeing": "Peer workers' wellbeing, in aggregate",
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
    "btn_ask_extension": "Ask for more time",
    "extension_asked": "We've asked a coordinator; they'll let you know.",
    "side_worker": "the peer worker",
    "side_service_user": "the service user",
    "coord_extension_requested": "{ref}: {side} asked to extend {user}'s peer support (now "
    "ending {when}). Use /extend {ref} 4w reason to agree.",
    "menu_pause": "Pause a relationship: /pause R12 2w reason",
    "menu_resume": "Resume: /resume R12 reason",
    "menu_extend": "Extend: /extend R12 4w reason",
    "menu_close": "Close now: /close R12 reason",
}
