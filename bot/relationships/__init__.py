"""The support relationship once matched: the private relay, /relationship and /end."""
