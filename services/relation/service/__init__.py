"""The relation use cases."""
