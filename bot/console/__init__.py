"""The coordinator console: the programme at a glance, lists, cards, the audit trail."""
