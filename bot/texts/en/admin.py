"""English texts for coordinator administration: profiles to approve, who coordinates."""

TEXTS: dict[str, str] = {
    "menu_pending": "Profiles waiting for approval",
    "menu_coordinators": "Manage coordinators",
    # -- profiles waiting for approval --
    "coord_no_pending": "No profiles are waiting for approval.",
    "coord_pending_title_one": "<b>{count} profile waiting for approval</b>",
    "coord_pending_title_other": "<b>{count} profiles waiting for approval</b>",
    "coord_reject_reason": "Not approving {name}. Please send a short reason for the record "
    "(they won't see it), or tap the button.",
    "btn_reject_without_reason": "Don't approve, no reason",
    # -- coordinators --
    "coord_coordinators_title": "<b>Coordinators</b>",
    "coord_coordinator_line": "#{id} — {source}{you}",
    "coord_source_config": "from the configuration",
    "coord_source_invite": "invited",
    "coord_you": " (you)",
    "btn_remove_coordinator": "Remove coordinator #{id}",
    "btn_add_coordinator": "Invite a new coordinator",
    "coord_not_removable": "That coordinator is not active any more.",
    "coord_config_not_removable": "That coordinator is set in the configuration file; "
    "remove them there.",
    "coord_cannot_remove_self": "You can't remove yourself; ask another coordinator.",
    "coord_you_were_removed": "You are no longer a coordinator.",
}
