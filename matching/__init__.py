"""The pure matching domain: no database, no Telegram, no I/O."""
