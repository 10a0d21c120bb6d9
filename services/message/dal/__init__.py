"""Persistence of the message service."""
