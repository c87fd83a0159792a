"""Backup key fingerprint: the clinic's settings row records an HMAC of the secret key the last
backup was made with, so that a restore can tell whether it runs with the same key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clinic_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('backup_key_fingerprint', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('clinic_settings', schema=None) as batch_op:
        batch_op.drop_column('backup_key_fingerprint')
