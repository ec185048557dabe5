"""Peer workers: joining by invite, their profile, approval, and taking new matches."""
