"""`make test` on a machine without Chromium: root with apt-get installs Debian's, anyone else
gets one line saying how to install it and a failure (tried through `make chromium`, the step
`make test` runs after the unit suite, with the runner and the package tool stood in for)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")


def make_chromium(**variables: str) -> subprocess.CompletedProcess[str]:
    """Run `make chromium` in the repository with these make variables."""
    assert MAKE is not None, "make is needed to run the test suite the way the README says"
    # Nothing from a make this suite runs under, nor the browser the caller chose, leaks in.
    inherited = {"CLINIC_BROWSER_EXECUTABLE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
    env = {key: value for key, value in os.environ.items() if key not in inherited}
    command = [MAKE, "-s", "--no-print-directory", "-C", str(REPOSITORY), "chromium"]
    command += [f"{name}={value}" for name, value in variables.items()]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def said(result: subprocess.CompletedProcess[str]) -> list[str]:
    """What the recipe printed, without make's own "*** Error" line."""
    lines = (result.stdout + result.stderr).splitlines()
    return [line for line in lines if not line.startswith(("make:", "make["))]


def fake_apt_get(folder: Path, *, fails: bool = False) -> tuple[Path, Path, Path]:
    """An apt-get that logs its calls and, on install, puts a Chromium in place."""
    log, chromium = folder / "apt.log", folder / "chromium"
    script = folder / "apt-get"
    install = "exit 100" if fails else f"printf '#!/bin/sh\\n' > {chromium}; chmod +x {chromium}"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$DEBIAN_FRONTEND $*" >> {log}\n'
        f'if [ "$1" = install ]; then {install}; fi\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log, chromium


def test_a_present_chromium_is_used_as_it_is(tmp_path: Path) -> None:
    apt_get, log, _ = fake_apt_get(tmp_path)
    present = tmp_path / "my-chromium"
    present.write_text("#!/bin/sh\n", encoding="utf-8")
    present.chmod(0o755)

    result = make_chromium(
        CLINIC_BROWSER_EXECUTABLE=str(present), RUNNER_UID="0", APT_GET=str(apt_get)
    )

    assert (result.returncode, said(result)) == (0, [])
    assert not log.exists()


def test_without_root_one_line_says_how_to_install_it_and_make_fails(tmp_path: Path) -> None:
    apt_get, log, _ = fake_apt_get(tmp_path)
    missing = tmp_path / "no-chromium"

    result = make_chromium(
        CLINIC_BROWSER_EXECUTABLE=str(missing), RUNNER_UID="1000", APT_GET=str(apt_get)
    )

    assert result.returncode != 0
    assert said(result) == [
        f"Browser tests not run: Chromium is missing ({missing}). Install it with 'sudo apt-get "
        "install chromium fonts-liberation' (Debian, Ubuntu) and run 'make test-browser', or set "
        "CLINIC_BROWSER_EXECUTABLE to a Chromium."
    ]
    assert not log.exists()  # nothing installed, nothing tried


def test_without_apt_get_one_line_says_how_and_make_fails(tmp_path: Path) -> None:
    result = make_chromium(
        DEBIAN_CHROMIUM=str(tmp_path / "chromium"),
        RUNNER_UID="0",
        APT_GET=str(tmp_path / "no-apt-get"),
    )

    assert result.returncode != 0
    [line] = said(result)
    assert "apt-get install chromium fonts-liberation" in line


def test_root_with_apt_get_installs_debians_chromium(tmp_path: Path) -> None:
    apt_get, log, chromium = fake_apt_get(tmp_path)

    result = make_chromium(DEBIAN_CHROMIUM=str(chromium), RUNNER_UID="0", APT_GET=str(apt_get))

    assert result.returncode == 0, result.stderr
    assert said(result) == [
        f"Chromium is missing ({chromium}): installing Debian's chromium for the browser tests"
    ]
    assert log.read_text(encoding="utf-8").splitlines() == [
        "noninteractive update -qq",
        "noninteractive install -y -qq --no-install-recommends chromium fonts-liberation",
    ]
    assert os.access(chromium, os.X_OK)


def test_a_failed_install_says_how_and_make_fails(tmp_path: Path) -> None:
    apt_get, log, chromium = fake_apt_get(tmp_path, fails=True)

    result = make_chromium(DEBIAN_CHROMIUM=str(chromium), RUNNER_UID="0", APT_GET=str(apt_get))

    assert result.returncode != 0
    assert said(result)[-1].startswith("Browser tests not run: Chromium is missing")
    assert len(log.read_text(encoding="utf-8").splitlines()) == 2
