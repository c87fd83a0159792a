"""Chart-ready PDF reports rendered with ReportLab from the domain's view-models.

Reports know nothing of Flask or the database: render(summary) -> bytes.
"""
