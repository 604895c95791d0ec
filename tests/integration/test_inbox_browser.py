"""Issue 18: the inbox in a real browser (headless Chromium driven by Playwright), end to end on the local stack.

An agent signs in, opens the top case, claims it, answers with a template and sees the case leave the queue; a
second agent sees the claim and cannot answer; a tweet carrying HTML and script renders as plain text.
The screenshot lands in the test's temporary folder (docs/inbox.png is one of them).
"""

import os
import re
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from carebird_local.server import build_server
from playwright.sync_api import expect

from carebird import clock
from tests.helpers import fixture

pytestmark = pytest.mark.integration
AT = datetime(2025, 11, 25, 10, 30, tzinfo=UTC)  # Tuesday 11:30 in Paris, open
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> mon colis a disparu'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = [  # as root in a closed network: no sandbox, no GPU, no calls home
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CAREBIRD_REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM}: .ci/run installs Debian's chromium package")
        pytest.skip("no Chromium: `apt-get install chromium` to run the browser tests (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def site(embedded):
    clock.travel_to(AT)
    mallory = fixture("aaa-mention.json")
    event = mallory["tweet_create_events"][0]
    event.update(id_str="1860000000000000666", text=f"@LumiereAide {XSS}")
    event["user"] = event["user"] | {"id_str": "1600000000000000666", "screen_name": "mallory", "name": "Mallory"}
    for payload in (fixture("aaa-mention.json"), fixture("aaa-mention-influencer.json"), mallory):
        assert embedded.deliver(payload)["statusCode"] == 200
    embedded.dispatch()
    http = build_server(embedded, "127.0.0.1", 0, report=lambda _line: None)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}/inbox", embedded
    http.shutdown()


def sign_in(browser, url, name):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(url)
    page.fill("#dev-name", name)
    page.click("#dev-sign-in button")
    page.wait_for_selector("#queue tbody tr[data-case]")
    return page, errors


def test_an_agent_works_the_queue_and_a_colleague_sees_the_claim(browser, site, tmp_path):
    url, stack = site
    alice, alice_errors = sign_in(browser, url, "alice")
    rows = alice.locator("#queue tbody tr[data-case]")
    assert rows.count() == 3
    top = rows.first.get_attribute("data-case")

    rows.first.click()
    alice.wait_for_selector("#claim-button")
    alice.click("#claim-button")
    expect(alice.locator("#claim")).to_contain_text("You are working")
    alice.select_option("#template", label="investigating")
    expect(alice.locator("#counter")).to_have_text(re.compile(r"^\d+/280$"))
    draft = alice.input_value("#draft")
    assert draft and alice.locator("#advice li").count() >= 4
    alice.screenshot(path=str(tmp_path / "inbox-case.png"), full_page=True)
    alice.click("#send-public")
    expect(alice.locator("#queue tbody tr[data-case]")).to_have_count(2)

    assert top not in [r.get_attribute("data-case") for r in alice.locator("#queue tbody tr[data-case]").all()]
    (post,) = [c for c in stack.x_calls() if c.action == "reply"]
    assert post.text == draft
    assert stack.store.get_case(top).status == "answered"

    # alice takes a second case; bob, signed in elsewhere, sees it is hers and cannot answer it
    second = alice.locator("#queue tbody tr[data-case]").first.get_attribute("data-case")
    alice.goto(f"{url}#/case/{second}")
    alice.wait_for_selector("#claim-button")
    alice.click("#claim-button")
    expect(alice.locator("#claim")).to_contain_text("You are working")
    bob, bob_errors = sign_in(browser, url, "bob")
    assert bob.locator(f"tr[data-case='{second}'] td.agent").inner_text() == "alice"
    bob.goto(f"{url}#/case/{second}")
    bob.wait_for_selector("#claim")
    expect(bob.locator("#claim")).to_contain_text("alice is working")
    assert bob.is_disabled("#send-public") and bob.is_disabled("#send-dm") and bob.is_disabled("#claim-button")
    alice.goto(url)
    alice.wait_for_selector("#queue tbody tr[data-case]")
    alice.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
    if os.environ.get("CAREBIRD_UPDATE_SCREENSHOT"):
        shutil.copy(tmp_path / "inbox.png", Path(__file__).resolve().parents[2] / "docs" / "inbox.png")
    assert alice_errors == [] and bob_errors == []


def test_a_tweet_carrying_html_and_script_renders_as_text(browser, site):
    url, _ = site
    page, errors = sign_in(browser, url, "alice")

    page.goto(f"{url}#/case/public-1860000000000000666")
    page.wait_for_selector("#conversation .message .text")

    shown = page.locator("#conversation .message .text").first.inner_text()
    assert "<script>window.__xss=2</script>" in shown and "<img" in shown
    assert page.evaluate("window.__xss") is None
    assert page.locator("#conversation img, #conversation script").count() == 0
    preview = page.evaluate("() => document.body.innerHTML.includes('<script>window.__xss')")
    assert preview is False  # escaped in the DOM as text, never parsed as markup
    assert errors == []


def test_the_kpi_page_charts_the_days_cases_by_channel(browser, site):
    url, _ = site
    page, errors = sign_in(browser, url, "alice")

    page.click("#nav-kpi")
    page.wait_for_selector("#kpi-chart rect")

    assert page.locator("#kpis strong").first.inner_text() == "3"  # the day's three cases
    assert page.locator("#kpi-chart rect").count() == 1  # one day, one channel (mentions): one segment
    assert page.locator("#kpi-legend .legend").all_inner_texts() == ["mention"]
    assert errors == []
