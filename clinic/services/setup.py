"""The setup token that lets only the server's operator create the first administrator."""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app


def setup_token() -> str:
    """Derive the setup token from the secret key, so every worker and host agrees on it."""
    digest = hmac.new(
        current_app.config["SECRET_KEY"].encode(), b"clinic first-admin setup", hashlib.sha256
    ).digest()
    text = base64.b32encode(digest[:10]).decode().lower()
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))
