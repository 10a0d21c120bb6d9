"""The ORM models of every table of dytt's one database, one module per table.

Importing any model imports them all, so the foreign keys between tables always resolve.
"""

from services.data.models.comment import Comment
from services.data.models.favorite import Favorite
from services.data.models.follow import Follow
from services.data.models.message import Message
from services.data.models.user import User
from services.data.models.video import Video

__all__ = ["Comment", "Favorite", "Follow", "Message", "User", "Video"]
