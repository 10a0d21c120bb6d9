"""The comment service: comments on videos (issue 4)."""
