"""English texts for privacy (merged into the catalog by ``bot.texts.en``)."""

TEXTS: dict[str, str] = {
    "menu_privacy": "What we hold and why",
    "menu_mydata": "A copy of everything we hold about you",
    "menu_consent": "See or withdraw your consents",
    "menu_delete": "Delete your data",
    # -- /privacy --
    "privacy": "<b>Your privacy at {service}</b>\n\n"
    "<b>What we hold:</b>\n"
    "• your Telegram user id, so we can reply to you\n"
    "• your consent choices, with the date and the wording you saw\n"
    "• your answers for matching: the experiences you'd value in a peer (or share as a peer "
    "worker), your wishes and languages, when you're free, your time zone, and any goals you "
    "choose to share\n"
    "• facts about your peer support: when it started and ended, how many messages went "
    "across, check-in scores and survey answers\n"
    "• your safety plan, if you write one: only you see it, unless you share it with your peer "
    "worker\n"
    "• a record of what coordinators did, and why{excerpt}\n\n"
    "<b>What we hold only for moments:</b> each message you send is saved as it comes in, so "
    "nothing is lost if something fails. Its words are deleted as soon as we have dealt with "
    "it. That is most often within a second, and longer only while something on our side is "
    "down. A note that a message came in (its number, time and your chat, but not its words) "
    "is kept for {inbox_days}, so we can spot a repeat. Messages we send you (a check-in, a "
    "reminder) wait in a queue until they go. Their words are deleted once sent, and a note "
    "that one was sent is kept for {outbox_days}.\n\n"
    "<b>What we never keep:</b> the content of the messages passed between you and your peer, "
    "or your check-in notes.\n\n"
    "<b>Why:</b> to find you a suitable peer and to keep peer support safe. If you agreed, we "
    "also use your answers to learn how to make peer support better, with your name and "
    "Telegram details taken out. Nothing is sold or used for ads. Your peer worker never sees "
    "your Telegram account.\n\n"
    "<b>Who sees it:</b> the peer support coordinators. Your peer worker sees only what they "
    "need to support you.\n\n"
    "<b>How long:</b> we delete your personal data {retention} after your last peer support "
    "ends or we last heard from you, whichever is later. Records without your name or "
    "Telegram details are kept for evaluation only if you agreed.\n\n"
    "<b>Limits of confidentiality:</b> what you share stays private. But if something "
    "suggests a serious risk to you or to someone else, we share it with the coordinators so "
    "they can help keep people safe.\n\n"
    "<b>This is not a crisis service.</b> No one watches the messages day and night. If you "
    "need help now, send /help_now.\n\n"
    "<b>Your choices</b>\n"
    "/mydata — a copy of everything we hold about you\n"
    "/consent — see or withdraw your consents\n"
    "/delete — delete your data\n"
    "/profile — see or change your answers",
    "privacy_excerpt": ", and — when a message suggests someone may be at risk — a short "
    "excerpt of it for the coordinators",
    # -- /mydata --
    "mydata_caption": "Everything we hold about you, as a file you can keep. /privacy explains "
    "what it means; /consent changes your consents; /delete deletes it.",
    "mydata_nothing": "We don't hold anything about you.",
    "mydata_about": "Everything PeerLink holds about you, as of generated_at. Times are UTC "
    "(ISO 8601). Other people appear only as references (U12 for a service user, R5 for a "
    "relationship) or, for your own peer worker, by the name they chose to show you. The "
    "content of relayed messages and check-in notes is never kept.",
    # -- /consent --
    "consent_title": "<b>Your consents</b>",
    "consent_kind_matching": "Using your answers to find you a peer worker",
    "consent_kind_contact": "A peer worker contacting you through this bot",
    "consent_kind_evaluation": "Using your answers to see how well peer support works. Your "
    "name and Telegram details are taken out. (Optional)",
    "consent_line": "<b>{kind}</b>\n{state}",
    "consent_state_given": "✅ Given on {date} (wording {version})",
    "consent_state_withdrawn": "❌ Withdrawn on {date} (given on {given}, wording {version})",
    "consent_state_declined": "❌ Not given ({date}, wording {version})",
    "consent_state_none": "— Not asked yet",
    "consent_footer": "<i>Withdrawing a consent doesn't delete what we hold: /delete does. "
    "/privacy explains what we hold and why.</i>",
    "btn_consent_withdraw_matching": "Withdraw: matching",
    "btn_consent_withdraw_contact": "Withdraw: contact",
    "btn_consent_withdraw_evaluation": "Withdraw: evaluation",
    "btn_consent_give_evaluation": "Give evaluation consent again",
    "consent_confirm_matching": "<b>Withdraw your consent to matching?</b>\n\n"
    "We'll stop using your answers to find you a peer: you'll come off the waitlist, any "
    "offer or request is cancelled, and any peer support you have now ends (your peer worker "
    "is told kindly, without details). What we hold isn't deleted — /delete does that.\n\n"
    "You can come back any time with /start.",
    "consent_confirm_contact": "<b>Withdraw your consent to contact?</b>\n\n"
    "Any peer support you have now ends (your peer worker is told kindly, without details), "
    "and we won't offer you a new peer worker. What we hold isn't deleted — /delete does "
    "that.\n\nYou can come back any time with /start.",
    "consent_confirm_evaluation": "<b>Withdraw your consent to evaluation?</b>\n\n"
    "From now on your answers won't be included in the service's evaluation. Your peer "
    "support carries on exactly as before.",
    "btn_consent_withdraw_yes": "Yes, withdraw it",
    "btn_consent_keep": "No, keep it as it is",
    "btn_consent_give_yes": "Yes, you may",
    # The same question as at onboarding, so the recorded wording version holds.
    "consent_give_evaluation_ask": "May we use your answers, with your name and Telegram "
    "details removed, to help the service understand and improve peer support? Saying no "
    "changes nothing about the support you get.",
    "consent_withdrawn_required": "Done — your consent is withdrawn. We won't look for a peer "
    "for you or contact you about peer support. If you change your mind, send /start; if "
    "you'd like what we hold deleted, send /delete.\n\n"
    "If you need support right now:\n{crisis_lines}",
    "consent_withdrawn_evaluation": "Done — your answers won't be used for evaluation from now "
    "on. You can give this consent again with /consent.",
    "consent_given_evaluation": "Thank you — your answers may be used, without your name or "
    "Telegram details, to evaluate peer support. You can withdraw this any time with /consent.",
    "consent_none": "You haven't given us any consents. Send /start to begin.",
    "consent_staff": "Peer workers and coordinators are part of the service's team, so your "
    "details are held for that work rather than on consent, and there's nothing to withdraw "
    "here. /mydata sends you a copy of what we hold. To have it deleted, send /delete or talk "
    "to your coordinator.",
    # -- /delete --
    "delete_confirm": "<b>Delete your data?</b>\n\nThis will:\n"
    "• end any peer support you have now. We tell the other person kindly, with no details.\n"
    "• delete your profile, your answers, your wishes and free times, and anything you wrote "
    "to us (survey comments, reports).\n"
    "• unlink your Telegram account from everything we hold.\n\n"
    "{kept}\n\nThis can't be undone. If you'd like peer support again later, send /start and "
    "you'll begin afresh.",
    "delete_kept_evaluation": "Because you agreed to evaluation, we keep a few records for it. "
    "They are dates, check-in scores and survey numbers, with no name or Telegram details.",
    "delete_kept_none": "We keep only the dates of past peer support, with no name or Telegram "
    "details. Check-in and survey answers are removed.",
    "btn_delete_yes": "Yes, delete my data",
    "btn_delete_no": "No, keep it",
    "delete_cancelled": "Nothing has been deleted.",
    "delete_done": "Your data has been deleted, and your Telegram account is no longer linked "
    "to anything we hold. Thank you for being part of {service}.\n\n"
    "If you'd like peer support again one day, send /start.\n\n"
    "If you need support right now:\n{crisis_lines}",
    "delete_nothing": "We don't hold anything about you.",
    "delete_coordinator": "You're a coordinator, so your data can't be deleted while you "
    "coordinate. Another coordinator must remove you first (/coordinators); if you're listed "
    "in the configuration, whoever runs the bot must take you off it.",
    # -- the other side, when someone leaves --
    "request_withdrawn_worker": "The request to support {ref} has been withdrawn — there's "
    "nothing for you to do, and your place is free again.",
    "request_worker_left_user": "The peer worker you chose is no longer available — this "
    "isn't about you. We're looking again, and we'll message you here.",
    "offer_worker_left_user": "The peer workers we offered you are no longer available — "
    "this isn't about you. We're looking again, and we'll message you here.",
    # -- statuses --
    "status_consent_withdrawn": "You've withdrawn your consent, so we aren't looking for a "
    "peer for you. Send /start if you'd like to come back.",
    "relay_status_consent_withdrawn": "you've withdrawn your consent, so you don't have a peer "
    "worker. Send /start if you'd like to come back.",
    "relay_status_declined_consent": "you haven't given the consents peer support needs. Send "
    "/start if you'd like to begin again.",
    "su_state_consent_withdrawn": "consent withdrawn",
    "su_state_erased": "data erased",
    "pw_status_erased": "data erased",
    # -- coordinators --
    "coord_retention_done_one": "Retention: the personal data of {count} person has been "
    "erased (last peer support ended, or last heard from, more than {after} ago).",
    "coord_retention_done_other": "Retention: the personal data of {count} people have been "
    "erased (last peer support ended, or last heard from, more than {after} ago).",
}
