"""The newest migration in migrations/versions/, on its own so that ``peerlink run`` can check a
SQLite database against it before SQLAlchemy loads (a test fails if a migration is added and
this is not moved on)."""

SCHEMA_REVISION = "0020"
