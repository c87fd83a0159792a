"""Flask extensions, created unbound and bound to the app in create_app."""

from __future__ import annotations

from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from clinic.models import Base

# Models derive from our own Base (no Flask import in models); the extension shares its metadata.
db = SQLAlchemy(metadata=Base.metadata)
csrf = CSRFProtect()
login_manager = LoginManager()


def db_session() -> Session:
    """The database session of the current request or command."""
    return db.session()
