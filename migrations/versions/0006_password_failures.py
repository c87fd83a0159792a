"""Password failures: every password check (sign-in, signing an exam, re-entering one's
password) counted by account, client address and session, replacing the sign-in failures.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('client_address', sa.String(length=64), nullable=False),
    sa.Column('session_row', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_failures'))
    )
    with op.batch_alter_table('password_failures', schema=None) as batch_op:
        batch_op.create_index('ix_password_failures_email_at', ['email', 'at'], unique=False)
        batch_op.create_index('ix_password_failures_client_address_at', ['client_address', 'at'], unique=False)
    # Failed sign-ins still in their window keep counting (from no known address).
    op.execute(
        "INSERT INTO password_failures (at, email, client_address, session_row, kind) "
        "SELECT at, email, '', NULL, 'sign_in' FROM sign_in_failures"
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failures_email_at')
    op.drop_table('sign_in_failures')


def downgrade():
    op.create_table('sign_in_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_failures_email_at', ['email', 'at'], unique=False)
    op.execute(
        "INSERT INTO sign_in_failures (email, at) "
        "SELECT email, at FROM password_failures WHERE kind = 'sign_in'"
    )
    with op.batch_alter_table('password_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_password_failures_client_address_at')
        batch_op.drop_index('ix_password_failures_email_at')
    op.drop_table('password_failures')
