"""Every table of dytt's one database, imported in one place (Alembic, the drift tests)."""

from __future__ import annotations

from services.comment.dal.models import Comment
from services.data.db import Base
from services.favorite.dal.models import Favorite
from services.message.dal.models import Message
from services.publish.dal.models import Video
from services.relation.dal.models import Follow
from services.user.dal.models import User

metadata = Base.metadata

__all__ = ["Comment", "Favorite", "Follow", "Message", "User", "Video", "metadata"]
