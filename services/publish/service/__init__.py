"""The publish use cases."""
