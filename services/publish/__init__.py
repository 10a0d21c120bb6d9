"""The publish service: uploads, covers, and the publish list (issue 4)."""
