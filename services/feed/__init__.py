"""The feed service: the newest videos, for anyone."""
