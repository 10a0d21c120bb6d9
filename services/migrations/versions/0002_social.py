"""social: videos, favorites, comments, follows and messages (issue 4's data model)

Revision ID: 0002_social
Revises: 0001_users
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002_social"
down_revision = "0001_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("follower_id", sa.BigInteger(), nullable=False),
        sa.Column("followee_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            mysql.DATETIME(fsp=6),
            server_default=sa.text("CURRENT_TIMESTAMP(6)"),
            nullable=False,
        ),
        sa.CheckConstraint("follower_id <> followee_id", name=op.f("ck_follows_not_self")),
        sa.ForeignKeyConstraint(
            ["followee_id"], ["users.id"], name=op.f("fk_follows_followee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["follower_id"], ["users.id"], name=op.f("fk_follows_follower_id_users")
        ),
        sa.PrimaryKeyConstraint("follower_id", "followee_id", name=op.f("pk_follows")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )
    op.create_index(
        op.f("ix_follows_followee_id_created_at"),
        "follows",
        ["followee_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("from_user_id", sa.BigInteger(), nullable=False),
        sa.Column("to_user_id", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.String(length=1000), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_user_id"], ["users.id"], name=op.f("fk_messages_from_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"], ["users.id"], name=op.f("fk_messages_to_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )
    op.create_index(
        op.f("ix_messages_from_user_id_to_user_id_created_ms"),
        "messages",
        ["from_user_id", "to_user_id", "created_ms"],
        unique=False,
    )
    op.create_index(
        op.f("ix_messages_to_user_id_from_user_id_created_ms"),
        "messages",
        ["to_user_id", "from_user_id", "created_ms"],
        unique=False,
    )
    op.create_table(
        "videos",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("play_key", sa.String(length=255), nullable=False),
        sa.Column("cover_key", sa.String(length=255), nullable=False),
        sa.Column("favorite_count", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("comment_count", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "created_at",
            mysql.DATETIME(fsp=6),
            server_default=sa.text("CURRENT_TIMESTAMP(6)"),
            nullable=False,
        ),
        sa.CheckConstraint("comment_count >= 0", name=op.f("ck_videos_comment_count_not_negative")),
        sa.CheckConstraint(
            "favorite_count >= 0", name=op.f("ck_videos_favorite_count_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_videos_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_videos")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )
    op.create_index(
        op.f("ix_videos_author_id_created_at"), "videos", ["author_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_videos_created_at_id"), "videos", ["created_at", "id"], unique=False)
    op.create_table(
        "comments",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("video_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.String(length=500), nullable=False),
        sa.Column(
            "created_at",
            mysql.DATETIME(fsp=6),
            server_default=sa.text("CURRENT_TIMESTAMP(6)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_comments_user_id_users")),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_comments_video_id_videos")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )
    op.create_index(op.f("ix_comments_user_id"), "comments", ["user_id"], unique=False)
    op.create_index(
        op.f("ix_comments_video_id_created_at"),
        "comments",
        ["video_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "favorites",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("video_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            mysql.DATETIME(fsp=6),
            server_default=sa.text("CURRENT_TIMESTAMP(6)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_favorites_user_id_users")),
        sa.ForeignKeyConstraint(
            ["video_id"], ["videos.id"], name=op.f("fk_favorites_video_id_videos")
        ),
        sa.PrimaryKeyConstraint("user_id", "video_id", name=op.f("pk_favorites")),
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )
    op.create_index(
        op.f("ix_favorites_user_id_created_at"),
        "favorites",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_index(op.f("ix_favorites_video_id"), "favorites", ["video_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_favorites_video_id"), table_name="favorites")
    op.drop_index(op.f("ix_favorites_user_id_created_at"), table_name="favorites")
    op.drop_table("favorites")
    op.drop_index(op.f("ix_comments_video_id_created_at"), table_name="comments")
    op.drop_index(op.f("ix_comments_user_id"), table_name="comments")
    op.drop_table("comments")
    op.drop_index(op.f("ix_videos_created_at_id"), table_name="videos")
    op.drop_index(op.f("ix_videos_author_id_created_at"), table_name="videos")
    op.drop_table("videos")
    op.drop_index(op.f("ix_messages_to_user_id_from_user_id_created_ms"), table_name="messages")
    op.drop_index(op.f("ix_messages_from_user_id_to_user_id_created_ms"), table_name="messages")
    op.drop_table("messages")
    op.drop_index(op.f("ix_follows_followee_id_created_at"), table_name="follows")
    op.drop_table("follows")
