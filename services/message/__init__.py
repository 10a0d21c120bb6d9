"""The message service: chats between users."""
