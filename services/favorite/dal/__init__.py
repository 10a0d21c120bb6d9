"""Persistence of the favorite service."""
