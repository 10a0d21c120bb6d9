"""The comment service: comments on videos."""
