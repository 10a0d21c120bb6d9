"""The message service: chat between friends (issue 4)."""
