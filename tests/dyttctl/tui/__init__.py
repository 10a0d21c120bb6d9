"""Pilot and snapshot tests of the Textual dashboard."""
