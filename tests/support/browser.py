"""Driving Debian's headless Chromium through Playwright: where it is, how it is launched,
signing in, screenshots, axe-core, and the address of the seeded example's known order.

The fixtures built on these (``browser``, ``shop_names``, ``site``, ``page``,
``axe_script``) live in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import pytest

from dynadmin import data
from examples.shop import seed

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
AXE_VERSION = "4.10.3"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-quic"]
PASSWORD = "journey-pass-9876"


def require_browser() -> None:
    """Skip without Chromium, unless DYNADMIN_REQUIRE_BROWSER=1 (CI) makes that a failure."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("DYNADMIN_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page, site: str, username: str = "admin") -> None:
    page.goto(f"{site}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/")


def fetch_axe() -> Path:
    """axe-core, fetched from its npm package into an ignored cache folder."""
    cache = ROOT / ".cache" / f"axe-core-{AXE_VERSION}"
    script = cache / "axe.min.js"
    if not script.exists():
        if not shutil.which("npm"):
            pytest.skip("npm is needed to fetch axe-core")
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["npm", "pack", f"axe-core@{AXE_VERSION}", "--silent"], cwd=tmp,
                           check=True, capture_output=True, timeout=120)
            archive = next(Path(tmp).glob("axe-core-*.tgz"))
            with tarfile.open(archive) as tar:
                member = tar.getmember("package/axe.min.js")
                cache.mkdir(parents=True, exist_ok=True)
                script.write_bytes(tar.extractfile(member).read())
    return script


def item_url_of_known_order(site: str) -> str:
    """The item page of the seeded order every lookup journey looks for."""
    from examples.shop.definitions import shop

    alice = seed.ALICE["user_id"]
    sk = data.query(shop.index("GSI1"), f"ORDER#{seed.KNOWN_ORDER_ID}").items[0]["SK"]
    return f"{site}/t/Application/item/?" + urlencode({"pk": f"USER#{alice}", "sk": sk})


def serious_violations(tab, axe_script) -> list[str]:
    """The serious and critical accessibility violations axe-core finds on the page."""
    tab.add_script_tag(path=str(axe_script))
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]
