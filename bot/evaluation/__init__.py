"""The evaluation export: pseudonymised CSV files, summary figures and charts for the service.

Only service users whose evaluation consent is in force are exported, with the relationships,
check-ins and feedback that belong to them. No Telegram id, name or free text ever leaves.
"""
