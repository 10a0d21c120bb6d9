"""Tests of the TUI core (no Textual)."""
