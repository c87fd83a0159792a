"""The WSGI entry point for gunicorn: the only module that builds an app at import time."""

from clinic import create_app, settle_heap

# Migrations run from the command line (`clinic db upgrade`, as `make run` does), never here.
app = create_app(migrations=False)
settle_heap()
