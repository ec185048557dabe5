"""Texts for roles and invites: who may become what, and what we say when the answer is no."""

TEXTS: dict[str, str] = {
    "menu_invite": "Invite a new peer worker",
    "menu_invites": "Open invites",
    # -- opening an invite link --
    "invite_invalid": "That invite link isn't valid. Please check it with your coordinator.",
    "invite_expired": "That invite link has expired. Please ask your coordinator for a new one.",
    "invite_used": "That invite link has already been used. Please ask your coordinator "
    "for a new one.",
    "invite_revoked": "That invite link was withdrawn. Please ask your coordinator for a new one.",
    "coord_welcome_new": "You're now a <b>coordinator</b>. Send /help to see what you can do.",
    "invite_role_ended": "That invite link has already been used, and the role it gave has "
    "since ended, so it doesn't work any more. If you'd like to come back, please ask a "
    "coordinator for a new invite.",
    "invite_refused_service_user": "This link is for joining the team at {service}. You're "
    "being supported here at the moment (or waiting for a peer), and that carries on just as "
    "it is: a person holds one role at a time, so nothing has changed. We've let the "
    "coordinator who sent the link know, so they can talk it through with you.",
    "invite_refused_caseload": "This link would make you a coordinator, but you have people "
    "in your caseload right now. A person holds one role at a time, so nothing has changed. "
    "Please talk with your coordinator about handing over first; they've been told.",
    "invite_refused_coordinator": "You're a coordinator, so this peer worker link can't make "
    "you a peer worker too: a person holds one role at a time. Nothing has changed, and the "
    "link still works for the person it was meant for.",
    "coord_invite_refused_notice": "Someone ({ref}) opened the {role} invite #{id} you made"
    "{note}, but they are {standing} at the moment, so nothing about them changed. The invite "
    "was not used and still works.",
    "standing_service_user_open": "a service user with open support (waiting, choosing or matched)",
    "standing_worker_with_caseload": "a peer worker with people in their caseload",
    "standing_coordinator": "a coordinator",
    "invite_note_suffix": " ({note})",
    # -- making, listing and revoking invites --
    "coord_invite_created": "Here's a one-time invite for a new peer worker. "
    "Send it to them privately:\n\n{link}\n\nIt works once and expires on {expires}.",
    "coord_invite_created_coordinator": "Here's a one-time invite for a new "
    "<b>coordinator</b>. Send it to them privately:\n\n{link}\n\n"
    "It works once and expires on {expires}.",
    "btn_revoke": "Revoke this invite",
    "coord_no_invites": "There are no open invites.",
    "btn_revoke_numbered": "Revoke invite {id}",
    "role_peer_worker": "peer worker",
    "role_coordinator": "coordinator",
    "coord_invite_revoked": "Invite revoked.",
    "coord_invite_not_revocable": "That invite is already used, revoked or gone.",
    "coord_invite_note_too_long": "That note is too long: please keep it under {limit} "
    "characters, for example /invite for Jo Smith.",
    "coord_invites_recent_title": "<b>Invites</b> (open ones, and used ones not revoked; "
    "newest first)",
    "coord_invite_line_open": "#{id}: {role}{note}, open, expires {expires}",
    "coord_invite_line_used": "#{id}: {role}{note}, used by {ref} on {used}",
    "coord_invite_revoked_used": "Invite revoked. The link no longer opens anything.",
    "coord_invite_revoked_stopped": "Invite revoked. {name} had not been approved yet, so "
    "their profile has been stopped and they've been told.",
    "coord_invite_revoked_kept_peer_worker": "Invite revoked: the link no longer opens "
    "anything. The worker it let in was already approved and stays a peer worker.",
    "coord_invite_revoked_kept_coordinator": "Invite revoked: the link no longer opens "
    "anything. The person it let in stays a coordinator; remove them with /coordinators if "
    "they should not be one.",
    "pw_invite_withdrawn": "The invite you joined with has been withdrawn by a coordinator, "
    "so your peer worker profile won't go ahead. If you think this is a mistake, please talk "
    "with the coordinator who invited you.",
    "coord_removed_with_invites": "Coordinator #{id} removed. Unused invites they had made "
    "were revoked: {count}.",
    "invite_provenance": "<b>Joined with</b>\nInvite #{id} made by coordinator #{creator} on "
    "{created}{note}; opened {used}.",
    "invite_provenance_unknown": "<b>Joined with</b>\nNo invite on record.",
}
