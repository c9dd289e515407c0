"""The page of ``symbackprop serve`` in a real headless Chromium (Playwright): type claims, read the verdicts
and the typeset preview from the page.

Needs ``pip install playwright`` and a Chromium: Debian's (``apt-get install chromium``; found on PATH, or
named by ``SYMBACKPROP_CHROMIUM``) or Playwright's own (``playwright install chromium``).  Without them the
tests are skipped locally with the reason, and fail in CI (``CI`` set; ``.ci/run`` installs both).
``SYMBACKPROP_SCREENSHOT=docs/serve.png`` also saves the screenshot shown in the README.  The cases run in a
child pytest (``test_the_page_in_a_real_browser``), never in the suite's own process.
"""
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from symbackprop.spec import load_spec_text
from test_serve import start_server, stop_server

TRUE = r"\delta^{(L)} = \hat{y} - y"
SLIP = r"\delta^{(L)} = y - \hat{y}"
SLOW = r"(u+v+q)^{60}(u-v+q)^{60} = ((u+q)^2-v^2)^{60}"
WAIT_MS = 120_000           # generous: a verdict, not a speed, is what these tests check


def _unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; the browser tests must run in CI (.ci/run installs playwright and chromium)")
    pytest.skip(reason)


def _chromium_path():
    named = os.environ.get("SYMBACKPROP_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None             # Playwright's own browser, if installed


IN_CHILD = os.environ.get("SYMBACKPROP_BROWSER_CHILD") == "1"


def test_the_page_in_a_real_browser():
    """Run the cases below in a child pytest: Playwright leaves asyncio threads behind in its process, and
    with a second thread alive the runner stops forking its workers (forkserver instead), which would
    change every later test of this session.  The child's skips (no browser) skip this test, except in CI."""
    if IN_CHILD:
        pytest.skip("this is the child: it runs the cases")
    env = dict(os.environ, SYMBACKPROP_BROWSER_CHILD="1")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", __file__],
                          env=env, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=1800)
    out = proc.stdout + proc.stderr
    if proc.returncode == 0 and not re.search(r"\d+ passed", out):
        reasons = re.findall(r"SKIPPED \[\d+\] [^:]+:\d+: (.*)", out)
        pytest.skip(reasons[-1] if reasons else "the browser cases were skipped")
    assert proc.returncode == 0, out[-6000:]


@pytest.fixture(scope="module")
def browser():
    if not IN_CHILD:
        pytest.skip("run in a child process by test_the_page_in_a_real_browser")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=_chromium_path(), args=["--no-sandbox"])
        except Error as e:
            _unavailable(f"no Chromium to drive (apt-get install chromium): {str(e).splitlines()[0]}")
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def server():
    proc, url, _ = start_server("--timeout", "60")
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1200, "height": 800}, accept_downloads=True)
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    pg.goto(server)
    pg.wait_for_selector("body[data-ready=true]")
    yield pg
    context.close()
    assert not errors, errors


def verdict_of(page, n, wanted, timeout=WAIT_MS):
    """Wait until the n-th claim shows ``wanted`` (a verdict name); return its list item."""
    item = page.locator(f"#results > li:nth-child({n})[data-verdict='{wanted}']")
    item.wait_for(timeout=timeout)
    return item


def test_typing_a_true_claim_shows_proved_and_its_typeset_reading(page):
    page.locator("#claims").press_sequentially(TRUE)
    t0 = time.monotonic()
    item = verdict_of(page, 1, "proved")
    print(f"\nproved shown {time.monotonic() - t0:.2f} s after the last key")     # measured, not asserted
    assert item.locator(".verdict").text_content() == "proved"
    # the preview is KaTeX's typesetting of the server's read_as (its MathML keeps the source)
    assert item.locator(".read-as .katex .katex-html").count() == 1
    assert item.locator(".read-as annotation").text_content() == TRUE
    assert "δ" in item.locator(".read-as .katex-html").text_content()


def test_a_sign_slip_is_refuted_with_diagnosis_sign(page):
    page.locator("#claims").fill(TRUE + "\n")
    page.locator("#claims").press("End")
    page.locator("#claims").press_sequentially(SLIP)
    t0 = time.monotonic()
    verdict_of(page, 1, "proved")
    item = verdict_of(page, 2, "refuted")
    print(f"\nrefuted shown {time.monotonic() - t0:.2f} s after the last key")
    assert item.locator(".detail.diagnosis").text_content().startswith("diagnosis: sign — The claim is the negative")
    assert item.locator(".detail.counterexample").text_content().startswith("counterexample: ")
    assert "2 claims" in page.locator("#status").text_content() or "refuted" in page.locator("#status").text_content()


def test_hostile_claims_come_back_as_errors_and_the_page_stays_responsive(page):
    page.locator("#claims").fill("10^{10^{10}}\n" + "(" * 5000 + "u" + ")" * 5000 + "\n" + "(" * 4990 + "u" + ")" * 4990)
    for n in (1, 2, 3):
        verdict_of(page, n, "error")
    assert "nested exponents" in page.locator("#results > li:nth-child(1) .detail.message").text_content()
    assert page.evaluate("1 + 1") == 2                      # the page's script still runs
    page.locator("#claims").fill(TRUE)
    verdict_of(page, 1, "proved")


def test_user_text_is_never_html(page):
    page.locator("#claims").fill('<img src=x onerror="document.title=\'pwned\'"> = <b>bold</b>')
    item = verdict_of(page, 1, "error")
    assert page.locator("#results img, #results b").count() == 0
    assert "<img" in item.text_content()
    assert page.title() != "pwned"


def test_a_stale_request_is_cancelled_when_typing_goes_on(page, server):
    aborted = []
    page.on("requestfailed", lambda r: aborted.append(r.url) if r.url.endswith("/api/check") else None)
    page.locator("#claims").fill(SLOW)
    page.locator("#results .verdict.checking").first.wait_for(timeout=WAIT_MS)   # in flight
    page.wait_for_timeout(1500)
    page.locator("#claims").fill(TRUE)
    verdict_of(page, 1, "proved")           # the slow claim (minutes of CPU) was cancelled, not awaited
    assert aborted, "the stale request was not aborted"     # the server then stops its workers (test_serve.py)


def test_network_controls_and_aligned_rows(page):
    page.select_option("#activation", "sigmoid")
    page.select_option("#output", "sigmoid")
    page.select_option("#loss", "bce")
    page.locator("#sizes").fill("2,3,2")
    page.locator("#claims").fill("\\begin{aligned}\\delta^{(L)} &= \\hat{y} - y \\\\\n&= -(y - \\hat{y})\n\\end{aligned}\n"
                                 "\\sigma'(u) = \\sigma(u)(1 - \\sigma(u))")
    verdict_of(page, 1, "proved")
    verdict_of(page, 2, "proved")
    assert page.locator("#results > li").count() == 2
    page.locator("#sizes").fill("2,x")
    page.locator("#status.error").wait_for(timeout=WAIT_MS)
    assert "sizes" in page.locator("#status").text_content()


def test_downloads_and_screenshot(page, tmp_path):
    page.locator("#claims").fill(f"{TRUE}\n{SLIP}\n\\delta^{{(l)}} = (W^{{(l)}})^T \\delta^{{(l+1)}} \\odot "
                                 "\\varphi'(z^{(l)})\n10^{10^{10}}")
    verdict_of(page, 1, "proved")
    verdict_of(page, 2, "refuted")
    verdict_of(page, 4, "error")
    with page.expect_download() as d:
        page.click("#download-yaml")
    spec = load_spec_text(open(d.value.path(), encoding="utf-8").read())
    assert [c.claim for c in spec.claims][:2] == [TRUE, SLIP] and spec.network.sizes == (3, 4, 4, 3)
    with page.expect_download() as d:
        page.click("#download-tex")
    tex = open(d.value.path(), encoding="utf-8").read()
    assert tex.startswith("\\documentclass") and "sign" in tex
    target = os.environ.get("SYMBACKPROP_SCREENSHOT") or str(tmp_path / "serve.png")
    page.screenshot(path=target, full_page=True)
    with open(target, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
