"""Where a user goes after signing in: a `next` target is followed only when it is a page of
this app, read the way a browser and this server will read it; anything else goes home.

A browser reading a Location header (the WHATWG URL parser) drops tabs and line breaks wherever
they are and control characters or spaces at the ends, and reads a backslash before the query as
a slash; the server percent-decodes the path once more. So `/<tab>/evil.example` or
`/\\evil.example` would be another host's address by the time the browser follows it, and
`/%2F%2Fevil.example` would be `//evil.example` to the server. Rather than guess which reading
wins, a target holding any character that is not printable ASCII (a control character, an
encoded one, a Unicode look-alike of a slash or a dot) is refused outright: no page of this app
has one. What is left must be a path of this app, with no scheme, host or user, whose decoded
path is a GET route.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

# Longer than any page of this app with its query: such a target is made up.
MAX_TARGET_LENGTH = 2000
# Percent-decoding rounds after which a path that still changes is refused (a chain of
# encodings is made to slip past one decoder and into another).
_DECODE_ROUNDS = 3


def _printable_ascii(text: str) -> bool:
    return all("!" <= character <= "~" for character in text)


def _as_a_browser_reads_it(target: str) -> str | None:
    """The target with spaces at its ends dropped and backslashes before its query read as
    slashes; None when it holds anything but printable ASCII (tabs and line breaks included,
    which a browser would silently drop)."""
    text = target.strip(" ")
    if not text or not _printable_ascii(text):
        return None
    cut = min((i for i in (text.find("?"), text.find("#")) if i >= 0), default=len(text))
    return text[:cut].replace("\\", "/") + text[cut:]


def _decoded_path(path: str) -> str | None:
    """The path as the server and any decoder after it may see it; None when its decoding does
    not settle or yields something no page of ours has."""
    decoded = path
    for _ in range(_DECODE_ROUNDS):
        again = unquote(decoded, errors="strict") if "%" in decoded else decoded
        if again == decoded:
            break
        decoded = again
    else:
        return None
    if not _printable_ascii(decoded) or decoded.startswith("//") or "\\" in decoded:
        return None
    if any(segment in {".", ".."} for segment in decoded.split("/")):
        return None
    return decoded


def _is_a_page(path: str) -> bool:
    """Whether the (once-decoded) path is a route of this app that answers GET."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(path, method="GET")
    except (HTTPException, RoutingException):
        return False  # not found, not a GET route, or only under another address
    return True


def next_page_or_home(target: str | None) -> str:
    """The page of this app a `next` target names, as the browser will read it; the home page
    for anything else (another host, a scheme, a made-up or unreadable address)."""
    home = url_for("main.index")
    if target is None or len(target) > MAX_TARGET_LENGTH:
        return home
    text = _as_a_browser_reads_it(target)
    if text is None or not text.startswith("/") or text.startswith("//"):
        return home
    try:
        parts = urlsplit(text)
        path = _decoded_path(parts.path)
    except (ValueError, UnicodeDecodeError):
        return home  # not a URL urllib can split, or a path that is not UTF-8 once decoded
    if parts.scheme or parts.netloc or parts.username or path is None:
        return home
    once = unquote(parts.path)  # what the server's routing matches
    return text if _is_a_page(once) else home
