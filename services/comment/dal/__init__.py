"""Persistence of the comment service."""
