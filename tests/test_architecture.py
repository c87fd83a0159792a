"""Dependencies point one way: the domain and the reports know nothing of Flask or SQLAlchemy."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import clinic.domain
import clinic.models
import clinic.reports


def _modules(package: object) -> list[str]:
    name = package.__name__  # type: ignore[attr-defined]
    path = package.__path__  # type: ignore[attr-defined]
    return [name] + [f"{name}.{m.name}" for m in pkgutil.walk_packages(path)]


@pytest.mark.parametrize("package", [clinic.domain, clinic.reports], ids=["domain", "reports"])
def test_package_imports_neither_flask_nor_sqlalchemy(package: object) -> None:
    imports = "; ".join(f"import {module}" for module in _modules(package))
    check = (
        f"import sys; {imports}; "
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy', "
        "'flask_sqlalchemy', 'wtforms', 'flask_wtf'}); print(','.join(leaked))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_models_do_not_import_flask() -> None:
    check = (
        f"import sys; {'; '.join(f'import {m}' for m in _modules(clinic.models))}; "
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0].startswith('flask'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
