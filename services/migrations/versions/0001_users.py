"""users: accounts and their profile counters

Revision ID: 0001_users
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001_users"
down_revision = None
branch_labels = None
depends_on = None

COUNTERS = ("follow_count", "follower_count", "total_favorited", "work_count", "favorite_count")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(100), nullable=False),
        sa.Column("avatar", sa.String(255), server_default=sa.text("''"), nullable=False),
        sa.Column("background_image", sa.String(255), server_default=sa.text("''"), nullable=False),
        sa.Column("signature", sa.String(255), server_default=sa.text("''"), nullable=False),
        *(
            sa.Column(c, sa.BigInteger(), server_default=sa.text("0"), nullable=False)
            for c in COUNTERS
        ),
        sa.Column(
            "created_at",
            mysql.DATETIME(fsp=6),
            server_default=sa.text("CURRENT_TIMESTAMP(6)"),
            nullable=False,
        ),
        *(
            sa.CheckConstraint(f"{c} >= 0", name=op.f(f"ck_users_{c}_not_negative"))
            for c in COUNTERS
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
        # explicit, not the server's default: the collation defines which usernames are equal
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_unicode_520_ci",
    )


def downgrade() -> None:
    op.drop_table("users")
