"""English texts for a relationship: the relay, endings, closure, the survey, pauses."""

TEXTS: dict[str, str] = {
    "menu_relationship": "Who you're matched with",
    "menu_end": "End your peer support relationship",
    "menu_relationships": "Open relationships",
    "menu_pause": "Pause a relationship: /pause R12 2w reason",
    "menu_resume": "Resume: /resume R12 reason",
    "menu_extend": "Extend: /extend R12 4w reason",
    "menu_close": "Close now: /close R12 reason",
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
    # -- is this a good fit? (bot/relationships/fit.py) --
    "fit_ask_user": "A quick, private question: how is it going with <b>{name}</b> so far? Only "
    "the coordinators will see your answer, and {name} will not be told.",
    "fit_ask_worker": "A quick, private question: how is it going with {ref} so far? Only the "
    "coordinators will see your answer.",
    "btn_fit_good": "It's going well",
    "btn_fit_unsure": "I'm not sure",
    "btn_fit_other": "I'd like someone else",
    "btn_fit_not_fit": "I'm not the right fit",
    "fit_thanks": "Thank you. Good to hear.",
    "fit_unsure": "Thank you for saying so. Would you like to talk it over with a coordinator? "
    "They can help you decide, with no pressure.",
    "btn_fit_talk_yes": "Yes, please",
    "btn_fit_talk_no": "No, thanks",
    "fit_talk_asked": "OK. A coordinator will get in touch with you here.",
    "fit_other_user": "That's fine. You don't need to give a reason. We'll look for someone "
    "else for you now.",
    "fit_not_fit_worker": "Thank you for telling us. The coordinators will be in touch. Nothing "
    "changes for now, and the person you support is not told.",
    "fit_answered_already": "You've answered this already, thank you.",
    "fit_talk_coord": "{who} would like a word about how {rel} is going. They said they're not "
    "sure it's a good fit.",
    "fit_not_fit_coord": "{worker} says they may not be the right fit for {ref} ({rel}). Nothing "
    "has changed; {ref} has not been told.",
    "fit_said_good": "going well",
    "fit_said_unsure": "not sure",
    "fit_said_talk": "not sure, and would like a word",
    "fit_said_other": "asked for someone else",
    "fit_said_not_fit": "not the right fit",
    # -- contact details in the relay ([relay.boundaries]) --
    "relay_held_user": "I haven't sent this yet: it looks like it has {what} in it. To keep "
    "you both safe, peer support stays in this chat, so we ask people not to share phone "
    "numbers, e-mails, usernames, links to other apps or home addresses. You can change your "
    "message and send it again, or send it as it is.",
    "relay_held_worker": "Not sent yet: this looks like it has {what} in it. Remember the "
    "service's rule: no personal contact details, and no contact outside this chat unless "
    "the service sets it up. Change it and send it again, or send it as it is. Coordinators "
    "see how often this happens, never what was said.",
    "relay_held_worker_choose": "Not sent: this looks like it has {what} in it. Remember the "
    "service's rule: no personal contact details, and no contact outside this chat unless the "
    "service sets it up. If you still want to send it, reply to a message from the person it "
    "is for.",
    "checkin_note_held": "I haven't passed your note on: it looks like it has {what} in it, "
    "and peer support stays in this chat. You can write to your peer worker here as usual.",
    "relay_blocked_user": "I couldn't send this: it looks like it has {what} in it, and peer "
    "support stays in this chat. Please send it again without those details.",
    "relay_blocked_worker": "Not sent: this looks like it has {what} in it, which the "
    "service's policy does not allow in this chat. Please send it again without them.",
    "relay_edit_held": "Your change wasn't passed on: it looks like it adds {what}. If you "
    "really want to share it, send it as a new message.",
    "btn_boundary_send_anyway": "Send it as it is",
    "btn_boundary_change": "I'll change it",
    "boundary_changing": "OK, not sent. Write it again when you're ready.",
    "boundary_phone": "a phone number",
    "boundary_email": "an e-mail address",
    "boundary_handle": "a username",
    "boundary_link": "a link to another app",
    "boundary_address": "a street address",
    "boundary_pattern": "personal details",
    "boundary_contact": "a contact card",
    "boundary_location": "a location",
    "relay_undeliverable": "Sorry — your message couldn't be delivered: the other person "
    "can't receive messages from the bot right now. A coordinator can help.",
    "relay_failed": "Sorry — your message couldn't be delivered just now. Please try again.",
    "relay_edit_failed": "Your message arrived, but your edit couldn't be shown to the other "
    "person just now.",
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
    "btn_pause_with": "Pause with {ref}",
    "worker_pause_ask": "Pause for how long? (For example during a hospital stay.) No check-ins "
    "go out while paused, and the end date moves on by the paused time. A coordinator will "
    "review it.",
    "coord_worker_paused": "A peer worker paused {ref}. /resume {ref} reason when it can carry on.",
    "coord_pause_review": "{ref} has been paused until today: time to review it (/resume or "
    "/close).",
    "btn_ask_extension": "Ask for more time",
    "extension_asked": "We've asked a coordinator; they'll let you know.",
    "side_worker": "the peer worker",
    "side_service_user": "the service user",
    "coord_extension_requested": "{ref}: {side} asked to extend {user}'s peer support (now "
    "ending {when}). Use /extend {ref} 4w reason to agree.",
}
