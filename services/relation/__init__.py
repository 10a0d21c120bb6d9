"""The relation service: follows, followers and friends (issue 4)."""
