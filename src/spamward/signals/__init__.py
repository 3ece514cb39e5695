"""Signals: read-only facts gathered for an event before the policy runs."""
