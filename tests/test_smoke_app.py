from sqlalchemy import func, select

from clinic.domain.roles import Role
from clinic.models import Patient
from tests.factories import make_patient, make_user


def test_signed_in_staff_sees_the_patient_list(client, create, login):
    staff = create(make_user, roles=(Role.STAFF,))
    create(make_patient, family_name="Ψυχογιός", given_name="Ελένη")
    login(staff)
    response = client.get("/patients")
    assert response.status_code == 200
    assert "Ψυχογιός, Ελένη" in response.text


def test_tables_are_empty_at_start(read):
    with read() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 0
