"""English texts for service-user onboarding: welcome, consents, questions, their name."""

# The words a person consents to: every consent record keeps their version in the person's
# language (``bot.texts.consent_text_version``), which changes when any of them does.
CONSENT_KEYS = (
    "su_welcome",
    "su_privacy",
    "su_consent_matching",
    "su_consent_contact",
    "su_consent_evaluation",
    "consent_yes",
    "consent_no",
    "consent_evaluation_yes",
    "consent_evaluation_no",
)

TEXTS: dict[str, str] = {
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
    "We only ask what helps us find you a good peer. The peer support coordinators see your "
    "answers. Once you're matched, your peer worker sees a short summary. You can see or "
    "change your answers at any time with /profile, and /privacy explains what we hold and "
    "why.\n\n"
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
    "summary_goal": "What you'd like to move toward",
    "summary_no_preferences": "No particular preferences",
    "summary_not_shared": "Not shared",
    "option_no_preference": "No preference",
    "option_prefer_not_to_say": "I'd rather not say",
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
    # -- done, resumed or stopped --
    "su_waiting": "Thank you — you're all set, and you're now <b>waiting for a peer</b>.\n\n"
    "Here's what happens next: a coordinator at {service} looks for a peer worker who fits "
    "what you've told us, and you'll get a message here to see who it is and say yes or no. "
    "Sometimes this takes a little while, depending on who is available — "
    "we'll be honest with you about it.\n\n"
    "You can look at or change your answers any time with /profile.",
    "su_profile_saved": "Saved — your profile is up to date.",
    "su_resume": "Welcome back — let's carry on where you left off.",
    "su_cancelled": "Stopped. I've discarded your answers so far. "
    "Whenever you'd like to begin again, send /start.",
}
