"""English texts for matching: offers, requests, proposals, the waitlist, matching by hand."""

TEXTS: dict[str, str] = {
    "menu_status": "Where things are",
    "menu_rematch": "Ask for a different peer",
    "menu_waitlist": "Who is waiting, and why",
    "menu_match": "Match by hand: /match U12 W7 reason",
    "menu_match_all": "Batch-match the waitlist",
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
    "offer_lapsed_one": "We kept those peer workers for you for a day. We've let them go for "
    "now, so that others who are waiting can be matched. Whenever you'd like a peer, tap the "
    "button and we'll look again.",
    "offer_lapsed_other": "We kept those peer workers for you for {count} days. We've let them "
    "go for now, so that others who are waiting can be matched. Whenever you'd like a peer, tap "
    "the button and we'll look again.",
    "offer_nobody_fits_availability": "Right now none of our peer workers is free at the "
    "times you gave us. That's about timing, not about you. You're on our waitlist and we'll "
    "message you here as soon as someone fits. If more times in the week would suit you, adding "
    "them in /profile would widen your options, but only if that works for you.",
    "offer_nobody_fits_language": "Right now none of our peer workers speaks the languages you "
    "chose. You're on our waitlist and we'll message you here as soon as someone does. If there "
    "is another language you're comfortable in, adding it in /profile would widen your "
    "options, but only if that feels right.",
    "offer_nobody_fits_preference": "Right now none of our peer workers matches everything you "
    "marked as important to you. You're on our waitlist and we'll message you here as soon as "
    'someone does. If one of those matters a little less to you, making it "nice to have" in '
    "/profile would widen your options. What you asked for is respected either way.",
    "offer_nobody_fits_other": "Right now none of our peer workers is the right fit for you. "
    "You're on our waitlist and we'll message you here as soon as someone is; you can check "
    "any time with /status.",
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
    "status_ended": "Your peer support relationship has ended. Send /rematch whenever you'd "
    "like a new peer worker.",
    "rematch_nothing": "You don't have a peer worker right now, so there's nothing to change. "
    "Send /status to see where things are.",
    "rematch_confirm": "Would you like a different peer worker? You don't need to give a "
    "reason, and we'll let them know kindly.",
    "btn_rematch_yes": "Yes, find me someone else",
    "btn_rematch_no": "No, keep things as they are",
    "rematch_done": "Done. We're looking for a new peer worker for you.",
    "rematch_cooldown": "You can ask for a new peer worker from {when}. In the meantime, "
    "/help_now shows the crisis lines.",
    # -- offers: peer workers --
    "request_intro": "<b>{ref} would like you as their peer worker</b>",
    "request_reminder": "<b>Reminder:</b> {ref} is waiting for your answer",
    "request_perspective": "Perspective: {perspective}",
    "request_shared": "You share: {areas}",
    "request_times": "You're both free (your time): {times}",
    "request_goal": "They'd like to move toward: <i>{goal}</i>",
    "request_respond_by": "Please answer by {when} ({zone} time).",
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
    "request_expired_worker_paused": "A request to you has expired without an answer, so "
    "we've offered the person someone else. As the last few went unanswered too, we've paused "
    "new requests to you for now: no problem at all, and nothing else changes. When you're "
    "ready for new matches, turn them back on in /profile.",
    "coord_worker_paused_unanswered_one": "{ref} has let a request expire without an "
    "answer, so new requests to them are paused (the person asked has been offered someone "
    "else). They can turn new matches back on in /profile; you may want to check in with them.",
    "coord_worker_paused_unanswered_other": "{ref} has let {count} requests in a row expire "
    "without an answer, so new requests to them are paused (the people asked have been "
    "offered someone else). They can turn new matches back on in /profile; you may want to "
    "check in with them.",
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
    "proposal_held": "Held — {ref} stays on the waitlist, with no new proposals until you "
    "look for peers for them again (/people {ref}) or match them by hand.",
    "proposal_already_decided": "This proposal has already been decided.",
    "proposal_places_taken": "Those peer workers' places have gone to other people since this "
    "card was made, so nothing was offered. {ref} stays on the waitlist; /match_all looks "
    "again.",
    "coord_repeated_declines_one": "{ref}'s requests have been declined or expired {count} "
    "time. You may want to look at their waitlist entry (/waitlist).",
    "coord_repeated_declines_other": "{ref}'s requests have been declined or expired {count} "
    "times. You may want to look at their waitlist entry (/waitlist).",
    "coord_long_wait": "{ref} has been waiting {waited} for a peer. Why nobody fits: {why}.",
    "coord_waitlist_empty": "Nobody is waiting for a peer.",
    "coord_waitlist_title": "<b>Waiting for a peer: {count}</b>",
    "coord_waitlist_line": "{ref} — {waited} — {state} {why}",
    "coord_waitlist_in_review": "card #{proposal_id} in review",
    "asked_for": "<i>Asked for:</i> {parts}",
    "asked_perspective_consumer": "a peer with their own experience (consumer)",
    "asked_perspective_carer": "a peer who has cared for someone (carer)",
    "asked_experience": "experience of {areas}",
    "asked_languages": "speaks {languages}",
    "asked_gender": "gender {value} ({weight})",
    "asked_age_band": "age {value} ({weight})",
    "asked_community": "community {value} ({weight})",
    "asked_weight_important": "important",
    "asked_weight_nice": "nice to have",
    "asked_times": "free {times} ({zone} time)",
    "asked_none": "nothing chosen",
    "coord_waitlist_held": "held by a coordinator",
    "coord_waitlist_own_choices": "nobody fits what they asked for, even with places free",
    "su_state_waiting": "waiting",
    "su_state_offered": "choosing from an offer",
    "su_state_requested": "a worker has been asked",
    "su_state_not_now": "paused (not now)",
    "su_state_matched": "matched",
    "su_state_ended": "relationship ended",
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
    "without a fit. Open it to offer it, swap its worker or hold it.",
    "coord_match_all_title_other": "<b>Batch matching</b>: {count} proposals, {unassigned} "
    "still without a fit. Open a card to offer it, swap its worker or hold it — or offer "
    "them all at once.",
    "coord_batch_new_title_one": "<b>New proposal</b>: {count} person can be matched now. "
    "Open the card to offer it, swap its worker or hold it.",
    "coord_batch_new_title_other": "<b>New proposals</b>: {count} people can be matched now. "
    "Open a card to offer it, swap its worker or hold it — or offer them all at once.",
    "coord_batch_pending_title_one": "<b>Batch of proposals</b>: {count} card still in review. "
    "Open it to offer it, swap its worker or hold it.",
    "coord_batch_pending_title_other": "<b>Batch of proposals</b>: {count} cards still in "
    "review. Open a card to offer it, swap its worker or hold it — or offer them all at once.",
    "coord_candidate_also": "Also proposed to: {refs}",
    "coord_batch_line": "#{id} {ref} → <b>{name}</b>, {fit}",
    "coord_batch_page": "<i>Page {page} of {pages}</i>",
    "coord_batch_all_decided": "Every card of this batch has been decided.",
    "btn_open_card": "Open #{id} ({name})",
    "btn_page_earlier": "◀ Earlier",
    "btn_page_later": "Later ▶",
    "btn_offer_every_card_one": "Offer it",
    "btn_offer_every_card_other": "Offer all {count}",
    "coord_every_card_offered_one": "Offered: {count} card. Any card whose places went "
    "meanwhile stays in review.",
    "coord_every_card_offered_other": "Offered: {count} cards. Any card whose places went "
    "meanwhile stays in review.",
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
    "reason_common_times": "{times} (your time) suit you both",
    "reason_language": "Speaks {languages}",
    "reason_gender": "Matches your preference ({value})",
    "reason_age_band": "In the age range you'd like ({value})",
    "reason_community": "Shares your community ({value})",
    "reason_continuity": "Someone you asked to reconnect with",
    "reason_shared_experience_coord": "Both have experience of: {areas}",
    "reason_common_times_coord": "{times} (the service user's time) suit them both",
    "reason_gender_coord": "Matches their preference ({value})",
    "reason_age_band_coord": "In the age range they'd like ({value})",
    "reason_community_coord": "Shares their community ({value})",
    "reason_continuity_coord": "Someone they asked to reconnect with",
    "reason_lighter_caseload": "Has room in their caseload",
    "reason_none": "No particular reasons",
}
