"""Audit chain: the audit log becomes append-only and hash-chained. Each row gains the patient it
concerns, the client address, the request id, the previous row's hash, its own hash and its keyed
seal; a sealed head marks the log's end; the database refuses UPDATE and DELETE on the log.
Rows already there are chained in id order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from clinic.domain.audit_chain import (
    GENESIS_HASH,
    anchor_key,
    canonical_bytes,
    head_seal,
    row_hash,
    row_seal,
)
from clinic.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_REFUSED = "audit_events is append-only"

SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}: UPDATE refused'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "WHEN clinic_audit_deletion_permitted() = 0 "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}: DELETE refused'); END",
)
POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('clinic.audit_deletion', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{_REFUSED}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$""",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()",
)

_events = sa.table(
    'audit_events',
    sa.column('id', sa.Integer()),
    sa.column('at', UTCDateTime()),
    sa.column('actor_id', sa.Integer()),
    sa.column('action', sa.String()),
    sa.column('entity_type', sa.String()),
    sa.column('entity_uuid', sa.Uuid()),
    sa.column('patient_uuid', sa.Uuid()),
    sa.column('detail', sa.JSON()),
    sa.column('client_address', sa.String()),
    sa.column('request_id', sa.String()),
    sa.column('prev_hash', sa.String()),
    sa.column('row_hash', sa.String()),
    sa.column('row_hmac', sa.String()),
)


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_uuid', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('client_address', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('request_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hmac', sa.String(length=64), nullable=True))
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('head_hmac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    _chain_existing_rows()
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('row_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('row_hmac', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_audit_events_patient_uuid_at', ['patient_uuid', 'at'], unique=False)
    triggers = POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def _chain_existing_rows():
    """Chain the rows written before the log was chained, in id order, sealed with this app's key;
    a patient's own events name the patient."""
    bind = op.get_bind()
    key = anchor_key(current_app.config['SECRET_KEY'])
    rows = bind.execute(
        sa.select(
            _events.c.id, _events.c.at, _events.c.actor_id, _events.c.action,
            _events.c.entity_type, _events.c.entity_uuid, _events.c.detail,
        ).order_by(_events.c.id)
    ).all()
    prev = GENESIS_HASH
    for row_id, at, actor_id, action, entity_type, entity_uuid, detail in rows:
        patient_uuid = entity_uuid if entity_type == 'patient' else None
        hashed = row_hash(canonical_bytes(
            row_id, at, actor_id, action, entity_type, entity_uuid, patient_uuid, detail,
            None, None, prev,
        ))
        bind.execute(
            _events.update().where(_events.c.id == row_id).values(
                # Stored again through the app's JSON serializer: in canonical form.
                detail=detail,
                patient_uuid=patient_uuid, prev_hash=prev, row_hash=hashed,
                row_hmac=row_seal(key, row_id, hashed),
            )
        )
        prev = hashed
    if rows:
        last_id = rows[-1][0]
        bind.execute(
            sa.text(
                "INSERT INTO audit_head (id, last_id, last_hash, row_count, head_hmac) "
                "VALUES (1, :last_id, :last_hash, :count, :seal)"
            ),
            {'last_id': last_id, 'last_hash': prev, 'count': len(rows),
             'seal': head_seal(key, last_id, prev, len(rows))},
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_refuse_change()")
    else:
        op.execute("DROP TRIGGER audit_events_no_delete")
        op.execute("DROP TRIGGER audit_events_no_update")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_patient_uuid_at')
        batch_op.drop_column('row_hmac')
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('request_id')
        batch_op.drop_column('client_address')
        batch_op.drop_column('patient_uuid')
    op.drop_table('audit_head')
