"""PeerLink: a Telegram bot for peer support in a community mental health service."""
