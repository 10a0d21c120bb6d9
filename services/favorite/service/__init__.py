"""The favorite use cases."""
