"""The comment use cases."""
