"""The feed use cases."""
