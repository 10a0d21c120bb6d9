"""Object keys to the absolute URLs clients fetch media from."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_AVATAR = "defaults/avatar.png"
DEFAULT_BACKGROUND = "defaults/background.png"
_ABSOLUTE = ("http://", "https://")


@dataclass(frozen=True)
class MediaUrls:
    """Builds absolute URLs under the public media base URL (a phone cannot reach 127.0.0.1)."""

    base_url: str
    # computed once: every user and video of every page asks for two or three URLs
    _prefix: str = field(init=False, repr=False, compare=False)
    _default_avatar: str = field(init=False, repr=False, compare=False)
    _default_background: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        prefix = self.base_url.rstrip("/") + "/"
        object.__setattr__(self, "_prefix", prefix)
        object.__setattr__(self, "_default_avatar", prefix + DEFAULT_AVATAR)
        object.__setattr__(self, "_default_background", prefix + DEFAULT_BACKGROUND)

    def url(self, key: str) -> str:
        """The URL of the object `key`; values that already are URLs pass through."""
        if key.startswith(_ABSOLUTE):
            return key
        return self._prefix + key.lstrip("/")

    def avatar(self, key: str) -> str:
        """A user's avatar, or the default one."""
        return self.url(key) if key else self._default_avatar

    def background(self, key: str) -> str:
        """A user's background image, or the default one."""
        return self.url(key) if key else self._default_background
