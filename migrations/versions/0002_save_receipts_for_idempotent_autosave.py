"""Save receipts: the answer to each client-keyed autosave, so a retried save applies once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('save_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.SmallInteger(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_save_receipts_exam_id_exams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_save_receipts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_save_receipts')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_save_receipts_user_id_key'))
    )
    with op.batch_alter_table('save_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_save_receipts_exam_id'), ['exam_id'], unique=False)



def downgrade():
    with op.batch_alter_table('save_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_save_receipts_exam_id'))

    op.drop_table('save_receipts')
