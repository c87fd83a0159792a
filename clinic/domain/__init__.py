"""Clinical knowledge as plain Python: catalogues, scales, validation and scoring.

Nothing here imports Flask or SQLAlchemy; a test enforces it.
"""
