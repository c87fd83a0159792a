"""Name normalisation so that searching "zoe" finds "Zoë" on every database."""

from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """Return text case-folded, without accents and with single spaces, for matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("ł", "l").replace("ø", "o").replace("đ", "d").split())
