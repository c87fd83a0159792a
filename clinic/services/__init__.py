"""Use cases: take a Session, validate through the domain, flush and audit; never commit."""
