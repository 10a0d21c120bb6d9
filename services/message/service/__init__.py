"""The message use cases."""
