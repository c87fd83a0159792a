"""After signing in, `next` is followed only to a page of this app, as the browser reads it.

The corpus gathers the open-redirect tricks of the published lists (PortSwigger's URL validation
bypass cheat sheet, OWASP's unvalidated redirects cheat sheet and testing guide,
PayloadsAllTheThings' Open Redirect intruder list), written to this app's host. Each Location
the app answers is read with ada, the WHATWG URL parser that browsers' parsing follows (Node.js
uses it), against the sign-in page's address: where a browser would actually go.
"""

from __future__ import annotations

import uuid
from typing import Any

import ada_url
import pytest
from flask import Flask

from clinic.domain.roles import Role
from clinic.redirects import MAX_TARGET_LENGTH, next_page_or_home
from tests.factories import PASSWORD, make_exam, make_user

SITE = "clinic.example"
SIGN_IN_PAGE = f"https://{SITE}/login"

# The value of `next` as the sign-in page receives it (its query string already decoded once).
HOSTILE_TARGETS = [
    # scheme-relative and absolute
    "//evil.example",
    "//evil.example/",
    "//evil.example/%2F..",
    "///evil.example",
    "////evil.example",
    "https://evil.example",
    "http://evil.example/patients",
    "https:evil.example",
    "http:/evil.example",
    "https:/\\evil.example",
    "//evil.example:443/patients",
    "//3627734734",  # a host written as one decimal number
    # backslashes, which a browser reads as slashes before the query
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "//\\evil.example",
    "/\\\\evil.example/",
    # tabs, line breaks and control characters a browser drops
    "/\t/evil.example/phish",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "\x00//evil.example",
    "\x01/\\evil.example",
    "/\x7f/evil.example",
    "//evil.example\t/patients",
    "/patients\nSet-Cookie: session=stolen",
    # percent-encoded slashes, backslashes, tabs and dots, once and twice
    "/%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%09/evil.example",
    "/%0D%0A/evil.example",
    "/%252F%252Fevil.example",
    "%2F%2Fevil.example",
    "/%2e%2e//evil.example",
    "/..//evil.example",
    "/./%2F/evil.example",
    # user information and look-alike hosts
    f"//evil.example@{SITE}",
    f"https://{SITE}@evil.example",
    f"https://{SITE}.evil.example",
    f"//{SITE}%40evil.example",
    "//evil.example\\@clinic.example",
    "@evil.example",
    "/@evil.example",
    "evil.example",
    "evil.example/patients",
    # other schemes
    "javascript:alert(document.domain)",
    "javascript://%0Aalert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    # Unicode look-alikes of slashes and dots, raw and encoded
    "/\uff0f\uff0fevil.example",  # fullwidth solidus
    "/\u2215\u2215evil.example",  # division slash
    "/\uff3cevil.example",  # fullwidth reverse solidus
    "//evil\u3002example",  # ideographic full stop
    "\u3031evil.example",  # vertical kana repeat mark
    "/%EF%BC%8F%EF%BC%8Fevil.example",
    "/patients\u2028",
    # overlong and unreadable
    "/patients?" + "q=x&" * MAX_TARGET_LENGTH,
    "/%C0%AF%C0%AFevil.example",  # an overlong UTF-8 slash
    "/%ZZevil",
    # not a page of this app
    "/",
    "/no-such-page",
    "/logout",
    "",
]


@pytest.fixture
def user(create: Any) -> Any:
    return create(make_user, roles=(Role.CLINICIAN,))


def _sign_in(client: Any, user: Any, target: str) -> str:
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD},
        base_url=f"https://{SITE}",
    )
    assert response.status_code == 302, response.status_code
    location: str = response.headers["Location"]
    return location


def _where_a_browser_goes(location: str) -> ada_url.URL:
    return ada_url.URL(location, base=SIGN_IN_PAGE)


def test_the_corpus_is_large_and_most_of_it_leaves_the_site_when_followed_as_given() -> None:
    assert len(HOSTILE_TARGETS) >= 40
    leaving = [t for t in HOSTILE_TARGETS if _followed_verbatim_host(t) not in (SITE, None)]
    assert len(leaving) >= 30, leaving


def _followed_verbatim_host(target: str) -> str | None:
    try:
        return _where_a_browser_goes(target).host
    except ValueError:
        return None


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_a_hostile_next_target_lands_on_the_home_page(client: Any, user: Any, target: str) -> None:
    if "\x00" in target:
        # A NUL anywhere in a request is refused before any view reads it: no redirect at all.
        with pytest.raises(AssertionError, match="400"):
            _sign_in(client, user, target)
        return
    location = _sign_in(client, user, target)

    followed = _where_a_browser_goes(location)
    assert (followed.protocol, followed.host) == ("https:", SITE)
    assert location == "/"


def test_the_tab_trick_as_typed_into_the_address_bar_lands_home(client: Any, user: Any) -> None:
    response = client.post(
        "/login?next=/%09/evil.example/phish",
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_a_page_of_this_app_is_followed_with_its_query_and_fragment(
    client: Any, create: Any, user: Any
) -> None:
    exam = create(make_exam, clinician=user)
    targets = [
        "/patients?q=x",
        "/patients?q=smith&page=2",
        "/patients?q=M%C3%BCller",
        f"/exams/{exam.uuid}#x",
        f"/exams/{exam.uuid}/tender-points",
        "/account",
        "/held/some-held-form-token",
    ]
    for target in targets:
        location = _sign_in(client, user, target)
        assert location == target
        assert _where_a_browser_goes(location).href == f"https://{SITE}{target}"
        client.post("/logout")


def test_spaces_around_a_page_are_dropped_as_a_browser_drops_them(client: Any, user: Any) -> None:
    assert _sign_in(client, user, "  /patients?q=x ") == "/patients?q=x"


def test_a_page_whose_address_only_looks_like_a_route_goes_home(app: Flask) -> None:
    with app.test_request_context("/login"):
        assert next_page_or_home(f"/exams/{uuid.uuid4()}") != "/"  # a route, exam or not
        assert next_page_or_home("/exams/not-a-uuid") == "/"
        assert next_page_or_home("/patients/") == "/"  # only under another address
        assert next_page_or_home(None) == "/"
