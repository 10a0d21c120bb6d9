"""media keys: each object key belongs to one video

Revision ID: 0003_media_keys
Revises: 0002_social
"""

from __future__ import annotations

from alembic import op

revision = "0003_media_keys"
down_revision = "0002_social"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_unique_constraint(op.f("uq_videos_play_key"), "videos", ["play_key"])
    op.create_unique_constraint(op.f("uq_videos_cover_key"), "videos", ["cover_key"])


def downgrade() -> None:
    op.drop_constraint(op.f("uq_videos_cover_key"), "videos", type_="unique")
    op.drop_constraint(op.f("uq_videos_play_key"), "videos", type_="unique")
