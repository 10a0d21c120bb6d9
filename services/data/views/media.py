"""Object keys to the absolute URLs clients fetch media from."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_AVATAR = "defaults/avatar.png"
DEFAULT_BACKGROUND = "defaults/background.png"


@dataclass(frozen=True)
class MediaUrls:
    """Builds absolute URLs under the public media base URL (a phone cannot reach 127.0.0.1)."""

    base_url: str

    def url(self, key: str) -> str:
        """The URL of the object `key`; values that already are URLs pass through."""
        if key.startswith(("http://", "https://")):
            return key
        return f"{self.base_url.rstrip('/')}/{key.lstrip('/')}"

    def avatar(self, key: str) -> str:
        """A user's avatar, or the default one."""
        return self.url(key or DEFAULT_AVATAR)

    def background(self, key: str) -> str:
        """A user's background image, or the default one."""
        return self.url(key or DEFAULT_BACKGROUND)
