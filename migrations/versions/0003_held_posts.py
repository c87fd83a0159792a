"""Held posts: a form posted after its session expired, kept until the same user signs in.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('held_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_held_posts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_posts')),
    sa.UniqueConstraint('token', name=op.f('uq_held_posts_token'))
    )
    with op.batch_alter_table('held_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_posts_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('held_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_held_posts_user_id'))

    op.drop_table('held_posts')
