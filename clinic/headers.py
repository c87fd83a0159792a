"""Security headers on every response, and no copy of a printed or exported record left behind.

The tablets are shared: a PDF or an export kept in a browser's cache (or a proxy's) could be
opened by the next person at the tablet, so every one is sent `Cache-Control: no-store`. A signed
exam's PDF keeps its ETag: a client that kept its own copy (a script over the API, a practice
system) still asks with If-None-Match and gets 304 when nothing changed.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

# Two years, subdomains included: the form browsers' preload lists accept.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"

# Browser features no page of the clinic uses, turned off for it and for anything it could
# ever frame: a page (or an injected script) can never ask for the camera or the location.
DENIED_FEATURES = (
    "accelerometer",
    "bluetooth",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "serial",
    "usb",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)


def is_record_file(response: Response) -> bool:
    """Whether the response is a PDF or a download (an export), or the 304 that revalidates a
    PDF (static files, sent inline, are neither)."""
    if request.endpoint == "static":
        return False
    disposition = response.headers.get("Content-Disposition", "")
    return (
        response.mimetype == "application/pdf"
        or disposition.startswith("attachment")
        or response.status_code == 304
    )


def _security_headers(response: Response) -> Response:
    headers = response.headers
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        # Served over HTTPS only: browsers never try plain HTTP for this host again.
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    headers["X-Frame-Options"] = "DENY"  # as CSP frame-ancestors 'none', for older browsers
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if is_record_file(response):
        headers["Cache-Control"] = "no-store"
    return response


def init_headers(app: Flask) -> None:
    """Add the security and caching headers to every response the app gives."""
    app.after_request(_security_headers)
