"""Persistence of the relation service."""
