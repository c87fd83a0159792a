"""Use cases: each takes a Session, validates through the domain, flushes and audits; never commits."""
