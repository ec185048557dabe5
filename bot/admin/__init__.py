"""Coordinator commands: invites, reviewing workers, managing coordinators."""
