"""The favorite service: likes and the favorite list (issue 4)."""
