"""The publish service: uploads, media storage, and users' video lists."""
