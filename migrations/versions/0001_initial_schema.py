"""Initial schema: users and roles, clinic settings, patients, exams with their findings,
survey, addenda and the audit trail.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    clinic_settings = op.create_table('clinic_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('paper_size', sa.Enum('letter', 'a4', name='paper_size', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_clinic_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic_settings'))
    )
    op.create_table('patients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mrn', sa.String(length=32), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('sex', sa.Enum('female', 'male', 'other', 'unknown', name='sex', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('name_search', sa.String(length=201), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients')),
    sa.UniqueConstraint('mrn', name=op.f('uq_patients_mrn')),
    sa.UniqueConstraint('uuid', name=op.f('uq_patients_uuid'))
    )
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patients_date_of_birth'), ['date_of_birth'], unique=False)
        batch_op.create_index(batch_op.f('ix_patients_name_search'), ['name_search'], unique=False)

    op.create_table('sign_in_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures'))
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_failures_email_at', ['email', 'at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('credentials', sa.String(length=80), nullable=True),
    sa.Column('licence_number', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('auth_epoch', sa.Integer(), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('uuid', name=op.f('uq_users_uuid'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_uuid', sa.Uuid(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_entity', ['entity_type', 'entity_uuid'], unique=False)

    op.create_table('exams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('exam_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'signed', 'entered_in_error', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('fm_impression', sa.Enum('yes', 'no', 'not_assessed', name='fm_impression', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('mps_impression', sa.Enum('yes', 'no', 'not_assessed', name='mps_impression', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('assessment', sa.Text(), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signature_digest', sa.String(length=64), nullable=True),
    sa.Column('signed_document', sa.JSON(), nullable=True),
    sa.Column('entered_in_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('entered_in_error_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_in_error_reason', sa.Text(), nullable=True),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'entered_in_error' OR (entered_in_error_at IS NOT NULL AND entered_in_error_reason IS NOT NULL)", name=op.f('ck_exams_entered_in_error_has_reason')),
    sa.CheckConstraint("status = 'draft' OR (signed_at IS NOT NULL AND signed_by_id IS NOT NULL AND signature_digest IS NOT NULL)", name=op.f('ck_exams_signed_has_signature')),
    sa.ForeignKeyConstraint(['clinician_id'], ['users.id'], name=op.f('fk_exams_clinician_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_exams_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entered_in_error_by_id'], ['users.id'], name=op.f('fk_exams_entered_in_error_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_exams_patient_id_patients'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_exams_signed_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exams')),
    sa.UniqueConstraint('uuid', name=op.f('uq_exams_uuid'))
    )
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exams_exam_date'), ['exam_date'], unique=False)
        batch_op.create_index('ix_exams_patient_id_exam_date', ['patient_id', 'exam_date'], unique=False)

    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('clinician', 'staff', 'admin', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles'))
    )
    op.create_table('addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_addenda_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_addenda_exam_id_exams'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addenda')),
    sa.UniqueConstraint('uuid', name=op.f('uq_addenda_uuid'))
    )
    with op.batch_alter_table('addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addenda_exam_id'), ['exam_id'], unique=False)

    op.create_table('exam_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('pain_duration_months', sa.Integer(), nullable=True),
    sa.Column('pain_left_side', sa.Boolean(), nullable=True),
    sa.Column('pain_right_side', sa.Boolean(), nullable=True),
    sa.Column('pain_above_waist', sa.Boolean(), nullable=True),
    sa.Column('pain_below_waist', sa.Boolean(), nullable=True),
    sa.Column('pain_axial', sa.Boolean(), nullable=True),
    sa.Column('fatigue', sa.SmallInteger(), nullable=True),
    sa.Column('waking_unrefreshed', sa.SmallInteger(), nullable=True),
    sa.Column('cognitive_symptoms', sa.SmallInteger(), nullable=True),
    sa.Column('headaches', sa.Boolean(), nullable=True),
    sa.Column('lower_abdominal_pain', sa.Boolean(), nullable=True),
    sa.Column('depression', sa.Boolean(), nullable=True),
    sa.Column('somatic_symptoms', sa.SmallInteger(), nullable=True),
    sa.Column('other_disorder_explains_pain', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cognitive_symptoms BETWEEN 0 AND 3', name=op.f('ck_exam_surveys_cognitive_symptoms_0_to_3')),
    sa.CheckConstraint('fatigue BETWEEN 0 AND 3', name=op.f('ck_exam_surveys_fatigue_0_to_3')),
    sa.CheckConstraint('pain_duration_months IS NULL OR pain_duration_months >= 0', name=op.f('ck_exam_surveys_duration')),
    sa.CheckConstraint('somatic_symptoms BETWEEN 0 AND 3', name=op.f('ck_exam_surveys_somatic_symptoms_0_to_3')),
    sa.CheckConstraint('waking_unrefreshed BETWEEN 0 AND 3', name=op.f('ck_exam_surveys_waking_unrefreshed_0_to_3')),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_surveys_exam_id_exams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_surveys')),
    sa.UniqueConstraint('exam_id', name=op.f('uq_exam_surveys_exam_id'))
    )
    op.create_table('tender_point_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('site_code', sa.String(length=32), nullable=False),
    sa.Column('examined', sa.Boolean(), nullable=False),
    sa.Column('not_examined_reason', sa.Text(), nullable=True),
    sa.Column('painful', sa.Boolean(), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('ppt_value', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('ppt_unit', sa.Enum('kgf/cm2', 'kPa', 'N', name='ppt_unit', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('ppt_probe_area_cm2', sa.Numeric(precision=4, scale=2), nullable=True),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(ppt_value IS NULL) = (ppt_unit IS NULL)', name=op.f('ck_tender_point_findings_ppt_value_has_unit')),
    sa.CheckConstraint('examined OR (painful IS NULL AND rating IS NULL AND ppt_value IS NULL)', name=op.f('ck_tender_point_findings_not_examined_has_no_result')),
    sa.CheckConstraint('ppt_probe_area_cm2 IS NULL OR ppt_probe_area_cm2 > 0', name=op.f('ck_tender_point_findings_ppt_probe_area_positive')),
    sa.CheckConstraint('ppt_value IS NULL OR ppt_value > 0', name=op.f('ck_tender_point_findings_ppt_value_positive')),
    sa.CheckConstraint('rating BETWEEN 0 AND 10', name=op.f('ck_tender_point_findings_rating_0_to_10')),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_tender_point_findings_exam_id_exams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tender_point_findings')),
    sa.UniqueConstraint('exam_id', 'site_code', name=op.f('uq_tender_point_findings_exam_id_site_code')),
    sa.UniqueConstraint('uuid', name=op.f('uq_tender_point_findings_uuid'))
    )
    with op.batch_alter_table('tender_point_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tender_point_findings_exam_id'), ['exam_id'], unique=False)

    op.create_table('trigger_point_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('muscle_code', sa.String(length=40), nullable=True),
    sa.Column('muscle_other_name', sa.String(length=120), nullable=True),
    sa.Column('side', sa.Enum('left', 'right', 'midline', name='side', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('location_in_muscle', sa.String(length=120), nullable=False),
    sa.Column('nodule_length_mm', sa.Numeric(precision=3, scale=1), nullable=True),
    sa.Column('nodule_width_mm', sa.Numeric(precision=3, scale=1), nullable=True),
    sa.Column('tenderness_grade', sa.Enum('0', 'I', 'II', 'III', 'IV', name='tenderness_grade', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('taut_band', sa.Enum('present', 'absent', 'not_assessable', name='taut_band', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('hypersensitive_spot', sa.Boolean(), nullable=True),
    sa.Column('patient_recognition', sa.Boolean(), nullable=True),
    sa.Column('local_twitch_response', sa.Enum('yes', 'no', 'not_tested', name='local_twitch_response', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('jump_sign', sa.Boolean(), nullable=True),
    sa.Column('referred_pain', sa.Boolean(), nullable=True),
    sa.Column('referral_description', sa.Text(), nullable=False),
    sa.Column('classification', sa.Enum('active', 'latent', 'not_trigger_point', name='classification', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('ppt_value', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('ppt_unit', sa.Enum('kgf/cm2', 'kPa', 'N', name='ppt_unit', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('ppt_probe_area_cm2', sa.Numeric(precision=4, scale=2), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('uuid', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(ppt_value IS NULL) = (ppt_unit IS NULL)', name=op.f('ck_trigger_point_findings_ppt_value_has_unit')),
    sa.CheckConstraint('muscle_code IS NOT NULL OR muscle_other_name IS NOT NULL', name=op.f('ck_trigger_point_findings_has_muscle')),
    sa.CheckConstraint('nodule_length_mm IS NULL OR nodule_length_mm BETWEEN 1 AND 50', name=op.f('ck_trigger_point_findings_nodule_length')),
    sa.CheckConstraint('nodule_width_mm IS NULL OR nodule_width_mm BETWEEN 1 AND 50', name=op.f('ck_trigger_point_findings_nodule_width')),
    sa.CheckConstraint('ppt_probe_area_cm2 IS NULL OR ppt_probe_area_cm2 > 0', name=op.f('ck_trigger_point_findings_ppt_probe_area_positive')),
    sa.CheckConstraint('ppt_value IS NULL OR ppt_value > 0', name=op.f('ck_trigger_point_findings_ppt_value_positive')),
    sa.CheckConstraint('rating BETWEEN 0 AND 10', name=op.f('ck_trigger_point_findings_rating_0_to_10')),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_trigger_point_findings_exam_id_exams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trigger_point_findings')),
    sa.UniqueConstraint('uuid', name=op.f('uq_trigger_point_findings_uuid'))
    )
    with op.batch_alter_table('trigger_point_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trigger_point_findings_exam_id'), ['exam_id'], unique=False)

    op.create_table('pain_area_answers',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=32), nullable=False),
    sa.Column('painful', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['exam_surveys.id'], name=op.f('fk_pain_area_answers_survey_id_exam_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'area_code', name=op.f('pk_pain_area_answers'))
    )
    op.create_table('referral_zones',
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('zone_code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['trigger_point_findings.id'], name=op.f('fk_referral_zones_finding_id_trigger_point_findings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('finding_id', 'zone_code', name=op.f('pk_referral_zones'))
    )
    # The one clinic of this installation, with defaults an administrator edits at first sign-in.
    op.bulk_insert(clinic_settings, [{
        'id': 1, 'name': 'Tender Point Clinic', 'address': '', 'phone': '',
        'time_zone': 'UTC', 'paper_size': 'letter', 'updated_at': datetime.now(UTC),
    }])


def downgrade():
    op.drop_table('referral_zones')
    op.drop_table('pain_area_answers')
    with op.batch_alter_table('trigger_point_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trigger_point_findings_exam_id'))

    op.drop_table('trigger_point_findings')
    with op.batch_alter_table('tender_point_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tender_point_findings_exam_id'))

    op.drop_table('tender_point_findings')
    op.drop_table('exam_surveys')
    with op.batch_alter_table('addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addenda_exam_id'))

    op.drop_table('addenda')
    op.drop_table('user_roles')
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_index('ix_exams_patient_id_exam_date')
        batch_op.drop_index(batch_op.f('ix_exams_exam_date'))

    op.drop_table('exams')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity')
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    op.drop_table('users')
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_failures_email_at')

    op.drop_table('sign_in_failures')
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patients_name_search'))
        batch_op.drop_index(batch_op.f('ix_patients_date_of_birth'))

    op.drop_table('patients')
    op.drop_table('clinic_settings')

