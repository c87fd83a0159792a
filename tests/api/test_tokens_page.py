"""The account page makes and revokes personal API tokens: shown once, stored hashed."""

from __future__ import annotations

import re

from sqlalchemy import select

from clinic.domain.roles import Role
from clinic.extensions import db
from clinic.models import ApiToken
from tests.exam_forms import page_of
from tests.factories import make_user


def test_a_token_is_shown_once_works_and_can_be_revoked(app, client, create, login):
    login(create(make_user, roles=(Role.STAFF,)))

    made = client.post("/account/tokens", data={"name": "Registry"})
    text = re.search(r'<code id="new-token">(tpc_[^<]+)</code>', made.get_data(as_text=True))

    assert made.status_code == 200
    assert text is not None
    token = text.group(1)
    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert stored.name == "Registry"
        assert token not in (stored.token_hash, stored.prefix)  # only a hash and a prefix
        token_id = stored.uuid
    assert token not in client.get("/account").get_data(as_text=True)  # never shown again
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/patients", headers=headers).status_code == 200

    revoked = client.post(f"/account/tokens/{token_id}/revoke")

    assert revoked.status_code == 302
    assert client.get("/api/v1/patients", headers=headers).status_code == 401
    assert "revoked" in client.get("/account").get_data(as_text=True)


def test_a_token_needs_a_name(client, create, login):
    login(create(make_user, roles=(Role.CLINICIAN,)))

    response = client.post("/account/tokens", data={"name": "  "})

    assert "Name the token." in page_of(response).errors.get("name", "")


def test_nobody_revokes_another_users_token(app, client, create, login):
    owner = create(make_user, roles=(Role.STAFF,))
    login(owner)
    client.post("/account/tokens", data={"name": "Mine"})
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken)).one().uuid
    login(create(make_user, roles=(Role.ADMIN,)))

    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).one().revoked_at is None
