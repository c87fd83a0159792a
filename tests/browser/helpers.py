"""Browser helpers: sign in through the form; checks run in the page (the layout fits the width,
touch targets, axe-core accessibility rules); where artifacts go."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

# Screenshots and other artifacts a person looks at; kept out of git (.gitignore).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form, tapping its button, and wait for the patient list."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("heading", level=1, name="Patients")).to_be_visible()


MIN_TARGET_PX = 44  # the app's --target: every control at least 44 x 44 CSS px
BLOCKING_IMPACTS = ("serious", "critical")

# Every visible control; a radio or checkbox is measured by the label wrapped around it, which is
# what a finger touches. Inline text links inside paragraphs are exempt (WCAG 2.5.8's inline
# exception): their size is the line of text they sit in.
_SMALL_TARGETS_JS = """
([minimum, exclude]) => {
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]');
  const offenders = [];
  for (const control of controls) {
    if (exclude && control.closest(exclude)) continue;
    if (!control.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const label = control.closest('label');
    const target = label && control.matches('input') ? label : control;
    const box = target.getBoundingClientRect();
    // Off the page until focused (the skip link).
    if (box.right + window.scrollX <= 0 || box.bottom + window.scrollY <= 0) continue;
    const style = getComputedStyle(control);
    if (control.matches('a') && style.display === 'inline' && control.closest('p')) continue;
    if (box.width >= minimum - 0.5 && box.height >= minimum - 0.5) continue;
    let name = target.tagName.toLowerCase();
    if (target.id) name += '#' + target.id;
    for (const cls of target.classList) name += '.' + cls;
    const text = (target.innerText || target.value || target.getAttribute('aria-label') || '')
      .trim().replace(/\\s+/g, ' ').slice(0, 40);
    offenders.push(`${name} "${text}" ${box.width.toFixed(1)}x${box.height.toFixed(1)}`);
  }
  return offenders;
}
"""


def small_touch_targets(page: Page, exclude: str = "") -> list[str]:
    """Visible controls smaller than 44 x 44 CSS px, as `selector "text" WxH`, leaving out those
    inside elements matching the CSS selector `exclude`."""
    page.wait_for_load_state("load")  # measured with the stylesheet applied, however busy the host
    offenders: list[str] = page.evaluate(_SMALL_TARGETS_JS, [MIN_TARGET_PX, exclude or None])
    return offenders


def assert_touch_targets(page: Page, exclude: str = "") -> None:
    offenders = small_touch_targets(page, exclude)
    assert not offenders, (
        f"controls under {MIN_TARGET_PX}x{MIN_TARGET_PX} px on {page.url}:\n" + "\n".join(offenders)
    )


def assert_fits_width(page: Page) -> None:
    """No horizontal scrolling: the document is no wider than the viewport."""
    page.wait_for_load_state("load")
    viewport = page.viewport_size
    assert viewport is not None
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
    )
    assert widths[1] == viewport["width"], f"layout viewport {widths[1]} != {viewport['width']}"
    assert max(widths[0], widths[2]) <= viewport["width"], (
        f"{page.url} scrolls sideways: {max(widths[0], widths[2])} px wide in a "
        f"{viewport['width']} px viewport"
    )


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page, name: str) -> None:
    """No serious or critical axe-core violation; every violation is kept in test-artifacts/."""
    response: dict[str, Any] = Axe().run(page).response
    violations = response["violations"]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(
        json.dumps({"url": page.url, "violations": violations}, indent=2), encoding="utf-8"
    )
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core on {page.url}:\n{describe(blocking)}"
