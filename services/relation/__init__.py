"""The relation service: follows, followers and friends."""
