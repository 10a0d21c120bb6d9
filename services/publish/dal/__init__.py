"""Persistence of the publish service."""
