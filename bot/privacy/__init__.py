"""Privacy rights: what is held and why, a copy of it, consents, deletion and retention."""
