"""The safety net: risk phrases, the flag queue, escalation, concerns and reports."""
