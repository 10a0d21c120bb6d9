"""The user service's persistence: the ORM model and repository functions."""
