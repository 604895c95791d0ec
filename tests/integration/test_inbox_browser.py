"""The inbox in a real browser (Debian's Chromium driven by Playwright), end to end on the local stack.

A shift worked by keyboard alone; a bulk noise of ten cases; a pending case back in the queue when the customer
writes; the CLI's answers in the thread with their author, and refused on a colleague's claim; a lead taking a
case back; a phone's 390x844 screen with no horizontal scroll; dark mode; axe-core with no serious violation on
every view; a tweet carrying HTML shown as text; the KPI chart. `make screenshots` regenerates the README's images.
"""

import itertools
import json
import os
import re
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from carebird_local.cli import main
from carebird_local.server import build_server
from click.testing import CliRunner
from playwright.sync_api import expect

from carebird import clock
from carebird.aws.teamstore import DynamoTeam
from tests.helpers import fixture
from tests.integration.conftest import create_deployed_stack

pytestmark = pytest.mark.integration
AT = datetime(2025, 11, 25, 10, 30, tzinfo=UTC)  # Tuesday 11:30 in Paris, open
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> mon colis a disparu'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[1] / "fixtures" / "axe" / "axe.min.js"
DOCS = Path(__file__).resolve().parents[2] / "docs"
CLAIRE, MAX = "public-1860000000000000101", "public-1860000000000000102"
FLAGS = [  # as root in a closed network: no sandbox, no GPU, no calls home
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
ROWS = "#queue tbody tr[data-case]"


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


def mention(number: int, text: str, handle: str) -> dict:
    payload = fixture("aaa-mention.json")
    event = payload["tweet_create_events"][0]
    event.update(id_str=f"18600000000000{number:05d}", text=f"@LumiereAide {text}")
    event["user"] = event["user"] | {"id_str": f"16000000000{number:05d}", "screen_name": handle, "name": handle}
    return payload


@pytest.fixture
def site(embedded):
    clock.travel_to(AT)
    mallory = mention(666, XSS, "mallory")
    for payload in (fixture("aaa-mention.json"), fixture("aaa-mention-influencer.json"), mallory):
        assert embedded.deliver(payload)["statusCode"] == 200
    embedded.dispatch()
    http = build_server(embedded, "127.0.0.1", 0, report=lambda _line: None)
    threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}/inbox", embedded
    http.shutdown()


def open_page(browser, url, name, lead=False, **context):
    page = browser.new_context(**({"viewport": {"width": 1280, "height": 900}} | context)).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 40" not in m.text else None)
    page.goto(url)
    page.fill("#dev-name", name)
    if lead:
        page.check("#dev-lead")
    page.press("#dev-name", "Enter")
    page.wait_for_selector(ROWS)
    return page, errors


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is (WCAG 2.x A and AA rules)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_full_shift_by_keyboard_only(browser, site):
    url, stack = site
    page, errors = open_page(browser, url, "alice")
    expect(page.locator(ROWS)).to_have_count(3)

    page.keyboard.press("j")
    page.keyboard.press("k")
    first = page.locator(ROWS).first.get_attribute("data-case")
    page.keyboard.press("Enter")
    expect(page.locator("#view h1")).to_contain_text("@")
    assert page.evaluate("location.hash") == f"#/case/{first}"
    page.keyboard.press("c")
    expect(page.locator("#claim")).to_contain_text("You are working")
    page.keyboard.press("t")
    focused = page.evaluate("document.activeElement.dataset.name")
    page.keyboard.press("Enter")
    draft = page.input_value("#draft")
    assert focused and draft and page.evaluate("document.activeElement.id") == "draft"
    page.keyboard.press("Control+Enter")

    expect(page).not_to_have_url(re.compile(re.escape(first)))  # on to the next case
    (post,) = [c for c in stack.x_calls() if c.action == "reply"]
    assert post.text == draft and stack.store.get_case(first).status == "answered"
    page.keyboard.press("g")
    expect(page.locator(ROWS)).to_have_count(2)
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    assert errors == []


def test_ten_cases_are_marked_noise_at_once_each_with_its_activity_entry(browser, site):
    url, stack = site
    for number in range(10):
        assert (
            stack.deliver(mention(500 + number, f"une question sur l'offre n°{number} ?", f"player{number}"))[
                "statusCode"
            ]
            == 200
        )
    stack.dispatch()
    page, errors = open_page(browser, url, "alice")
    expect(page.locator(ROWS)).to_have_count(13)

    for row in page.locator(ROWS).all():
        if "@player" in row.inner_text():
            row.locator(".pick").check()
    expect(page.locator("#bulk-count")).to_have_text("10 selected")
    page.click("#bulk-noise")

    expect(page.locator(ROWS)).to_have_count(3)
    players = [
        c for c in stack.store.cases_opened_between(AT.replace(hour=0), AT) if c.customer.handle.startswith("player")
    ]
    assert len(players) == 10 and {c.status for c in players} == {"noise"}
    for case in players:
        assert [(a["agent"], a["action"]) for a in stack.store.activity(case.case_id)] == [("alice", "noise")]
    assert errors == []


def test_a_pending_case_returns_to_waiting_when_the_customer_writes(browser, site):
    url, stack = site
    page, errors = open_page(browser, url, "alice")
    page.goto(f"{url}#/case/{CLAIRE}")
    page.click("#pending-button")
    expect(page.locator("#case-status")).to_contain_text("pending")
    page.goto(f"{url}#/queue")
    expect(page.locator(ROWS)).to_have_count(2)
    page.click("#view-pending")
    expect(page.locator(ROWS)).to_have_count(1)

    clock.travel_to(datetime(2025, 11, 25, 11, 0, tzinfo=UTC))
    follow_up = fixture("aaa-mention.json")
    follow_up["tweet_create_events"][0].update(
        id_str="1860000000000000901", text="@LumiereAide n° client 1234", timestamp_ms="1764068400000"
    )
    assert stack.deliver(follow_up)["statusCode"] == 200
    stack.dispatch()
    page.click("#view-waiting")

    expect(page.locator(f"tr[data-case='{CLAIRE}']")).to_have_count(1)
    expect(page.locator("#view-pending .count")).to_have_text(" 0")
    assert errors == []


def test_a_cli_reply_appears_in_the_thread_with_its_author_and_is_refused_on_a_colleagues_claim(browser, site):
    url, _stack = site
    create_deployed_stack()
    page, errors = open_page(browser, url, "alice")
    page.goto(f"{url}#/case/{CLAIRE}")
    page.click("#claim-button")
    expect(page.locator("#claim")).to_contain_text("You are working")

    refused = CliRunner().invoke(
        main, ["reply", CLAIRE, "Bonjour Claire !", "--stack", "carebird", "--dry-run", "--yes", "--agent", "bob"]
    )
    answered = CliRunner().invoke(
        main, ["reply", MAX, "Hi Max, we're on it.", "--stack", "carebird", "--dry-run", "--yes", "--agent", "bob"]
    )

    assert refused.exit_code == 1 and "alice is working on CB-" in refused.output
    assert answered.exit_code == 0, answered.output
    page.goto(f"{url}#/case/{MAX}")
    answer = page.locator("#conversation .message.out")
    expect(answer).to_have_count(1)
    expect(answer.locator(".meta")).to_contain_text("@LumiereAide · sent by bob")
    expect(page.locator("#conversation .activity")).to_contain_text(["bob (cli): claim"])
    assert errors == []


def test_a_lead_takes_a_case_back_and_the_thread_records_it(browser, site):
    url, stack = site
    bob, _ = open_page(browser, url, "bob")
    bob.goto(f"{url}#/case/{CLAIRE}")
    bob.click("#claim-button")
    expect(bob.locator("#claim")).to_contain_text("You are working")

    lea, errors = open_page(browser, url, "lea", lead=True)
    lea.goto(f"{url}#/case/{CLAIRE}")
    expect(lea.locator("#claim")).to_contain_text("bob is working")
    lea.click("#take-over-button")

    expect(lea.locator("#claim")).to_contain_text("You are working")
    expect(lea.locator("#conversation .activity").last).to_contain_text("lea (inbox): take over from bob")
    assert stack.store.get_case(CLAIRE).claimed_by == "lea" and errors == []


def test_a_phone_shows_the_queue_and_a_case_without_horizontal_scroll(browser, site):
    url, _ = site
    page, errors = open_page(
        browser, url, "alice", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )

    def fits() -> bool:
        return page.evaluate("document.documentElement.scrollWidth") <= 390

    assert fits()
    box = page.locator("#sign-out").bounding_box()
    assert box and box["x"] + box["width"] <= 390  # the header wraps: Sign out stays on screen
    page.goto(f"{url}#/case/{CLAIRE}")
    page.wait_for_selector("#draft")
    assert fits()
    page.goto(f"{url}#/kpi")
    page.wait_for_selector("#kpis")
    assert fits() and errors == []


def test_dark_mode_follows_the_systems_colour_scheme(browser, site):
    url, _ = site
    page, _ = open_page(browser, url, "alice", color_scheme="dark")

    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    text = page.evaluate("getComputedStyle(document.body).color")
    assert background == "rgb(18, 22, 28)" and text == "rgb(230, 234, 239)"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation_on_any_view(browser, site, scheme):
    url, _ = site
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#dev-name")
    found = {"sign-in": axe_violations(page)}
    page.fill("#dev-name", "alice")
    page.press("#dev-name", "Enter")
    page.wait_for_selector(ROWS)
    found["queue"] = axe_violations(page)
    page.goto(f"{url}#/case/{CLAIRE}")
    page.wait_for_selector("#draft")
    found["case"] = axe_violations(page)
    page.goto(f"{url}#/search")
    page.fill("#search-input", "remboursement")
    page.press("#search-input", "Enter")
    expect(page.locator("#search-state")).to_contain_text("No results for “remboursement”")
    found["search"] = axe_violations(page)
    page.goto(f"{url}#/kpi")
    page.wait_for_selector("#kpis")
    found["kpi"] = axe_violations(page)

    assert found == {view: [] for view in found}
    context.close()


def test_a_new_tab_of_the_same_browser_opens_a_deep_link_signed_in(browser, site):
    url, _ = site
    page, errors = open_page(browser, url, "alice")

    tab = page.context.new_page()
    tab.goto(f"{url}#/case/{CLAIRE}")

    expect(tab.locator("#draft")).to_be_visible()
    assert tab.evaluate("localStorage.getItem('carebird.token')") is None  # the token never leaves session storage
    assert tab.evaluate("sessionStorage.getItem('carebird.agent')") == "alice" and errors == []


def test_an_unknown_case_clears_the_view_and_a_failing_queue_offers_retry(browser, site):
    url, _stack = site
    page, _errors = open_page(browser, url, "alice")
    page.goto(f"{url}#/case/{CLAIRE}")
    page.wait_for_selector("#draft")

    page.goto(f"{url}#/case/public-404")
    expect(page.locator("#not-found")).to_have_text("There is no case public-404.")
    assert page.locator("#draft").count() == 0

    page.route("**/inbox/api/queue*", lambda route: route.fulfill(status=503, body=json.dumps({"error": "busy"})))
    page.goto(f"{url}#/queue")
    expect(page.locator("#state.error")).to_contain_text("busy")
    page.unroute("**/inbox/api/queue*")
    page.click("#retry")
    expect(page.locator(ROWS)).to_have_count(3)


def test_free_text_search_finds_the_customers_words_and_says_when_nothing_matches(browser, site):
    url, _ = site
    page, _ = open_page(browser, url, "alice")
    page.keyboard.press("/")
    page.fill("#search-input", "box rouge")
    page.press("#search-input", "Enter")
    expect(page.locator("#search-results tr[data-case]")).to_have_count(1)
    page.fill("#search-input", "remboursement")
    page.press("#search-input", "Enter")
    expect(page.locator("#search-state")).to_contain_text("No results for “remboursement”")
    expect(page.locator("#search-results tr")).to_have_count(0)


def test_the_queue_refresh_transfers_nothing_when_unchanged(browser, site):
    url, _ = site
    page, _ = open_page(browser, url, "alice")
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if "/api/queue" in r.url else None)

    page.evaluate("refreshQueue(false)")
    page.wait_for_timeout(300)

    assert statuses == [304]


RECORD_QUEUE_REQUESTS = """(() => {  // the page's clock (faked) at each request of the queue
  window.__queueAt = [];
  const send = window.fetch;
  window.fetch = (url, options) => {
    if (String(url).includes("/api/queue")) window.__queueAt.push(Date.now());
    return send(url, options);
  };
})();"""


def open_page_on_a_paused_clock(browser, url, name):
    """The queue signed in, its timers on Playwright's clock, paused: time moves only when the test moves it."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.add_init_script(RECORD_QUEUE_REQUESTS)
    page.clock.install()
    page.goto(url)
    page.fill("#dev-name", name)
    page.press("#dev-name", "Enter")
    page.wait_for_selector(ROWS)
    settled(page)
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 0.5)  # Playwright's Python clock counts seconds
    return page


def settled(page):
    """No refresh in flight and the next one scheduled (the page's own state)."""
    for _ in range(500):
        if page.evaluate("!polling.busy && polling.timer !== null"):
            return
        page.wait_for_timeout(20)
    raise AssertionError("the queue's next refresh was never scheduled")


def live_for(page, seconds):
    """Move the page's clock one second at a time, letting each refresh it starts finish."""
    for _ in range(seconds):
        page.clock.run_for(1000)
        settled(page)


def gaps(page, since=0):
    """Seconds between the queue's requests, from the `since`-th one."""
    times = page.evaluate("window.__queueAt")[since:]
    return [round((b - a) / 1000) for a, b in itertools.pairwise(times)]


def test_an_unchanged_queue_refreshes_every_15_s_then_backs_off_to_one_a_minute_and_a_change_brings_15_s_back(
    browser, site
):
    url, stack = site
    page = open_page_on_a_paused_clock(browser, url, "alice")

    live_for(page, 230)
    assert gaps(page) == [15, 20, 30, 45, 60, 60]  # the first is the page's own load

    before = len(page.evaluate("window.__queueAt"))
    assert stack.deliver(mention(777, "une question sur l'offre n°7 ?", "nadia"))["statusCode"] == 200
    stack.dispatch()
    live_for(page, 60)
    expect(page.locator(ROWS)).to_have_count(4)  # the new case shows within a minute of its arrival
    live_for(page, 40)
    assert gaps(page, before - 1)[1:3] == [15, 20]  # after the change is shown: 15 s, then backing off again


def test_the_agent_coming_back_refreshes_a_stale_queue_at_once_and_a_hidden_tab_never_refreshes(browser, site):
    url, _ = site
    page = open_page_on_a_paused_clock(browser, url, "alice")
    live_for(page, 170)  # backed off: the next refresh is a minute away
    count = lambda: len(page.evaluate("window.__queueAt"))  # noqa: E731

    live_for(page, 20)
    before = count()
    page.keyboard.press("j")  # a key, 20 s after the last refresh: at once
    page.clock.run_for(1)
    settled(page)
    assert count() == before + 1
    live_for(page, 10)
    page.keyboard.press("k")  # 10 s later: the queue shown is fresh enough, but the next refresh is 15 s, not 20
    page.clock.run_for(1)
    settled(page)
    assert count() == before + 1
    live_for(page, 5)
    assert count() == before + 2

    page.evaluate("""() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      document.dispatchEvent(new Event("visibilitychange"));
    }""")
    hidden = count()
    for _ in range(600):  # ten hidden minutes: no refresh, none scheduled
        page.clock.run_for(1000)
    assert count() == hidden and page.evaluate("polling.timer") is None

    page.evaluate("""() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
      document.dispatchEvent(new Event("visibilitychange"));
    }""")
    page.clock.run_for(1)
    settled(page)
    assert count() == hidden + 1  # shown again: at once


def test_a_failed_refresh_shows_the_error_and_the_next_refresh_that_succeeds_shows_the_queue_again(browser, site):
    url, _ = site
    page = open_page_on_a_paused_clock(browser, url, "alice")
    shown = page.locator(ROWS).count()
    failures = [503]
    page.route(
        "**/inbox/api/queue*",
        lambda route: (
            route.fulfill(status=failures.pop(), body=json.dumps({"error": "busy"})) if failures else route.continue_()
        ),
    )

    live_for(page, 15)
    expect(page.locator("#state.error")).to_contain_text("busy")
    expect(page.locator(ROWS)).to_have_count(0)
    live_for(page, 15)  # the queue has not changed meanwhile: the answer must not be a 304 to rows no longer shown
    expect(page.locator(ROWS)).to_have_count(shown)
    expect(page.locator("#state.error")).to_have_count(0)


def test_a_refresh_that_never_answers_is_given_up_and_the_refresh_goes_on(browser, site):
    url, _ = site
    page = open_page_on_a_paused_clock(browser, url, "alice")
    shown = page.locator(ROWS).count()
    count = lambda: len(page.evaluate("window.__queueAt"))  # noqa: E731
    hanging = []
    page.route("**/inbox/api/queue*", lambda route: hanging.append(route) if not hanging else route.continue_())

    for _ in range(15):
        page.clock.run_for(1000)
    page.wait_for_timeout(100)
    assert len(hanging) == 1  # the request went out and hangs (a socket gone stale while the laptop slept)
    before = count()
    for _ in range(30):
        page.clock.run_for(1000)
    settled(page)  # given up after 30 s (then tried again at once: it is stale) and the next refresh scheduled
    assert count() == before + 1
    live_for(page, 60)
    assert count() > before + 1
    expect(page.locator(ROWS)).to_have_count(shown)


def test_a_tweet_carrying_html_and_script_renders_as_text(browser, site):
    url, _ = site
    page, errors = open_page(browser, url, "alice")

    page.goto(f"{url}#/case/public-1860000000000000666")
    page.wait_for_selector("#conversation .message .text")

    shown = page.locator("#conversation .message .text").first.inner_text()
    assert "<script>window.__xss=2</script>" in shown and "<img" in shown
    assert page.evaluate("window.__xss") is None
    assert page.locator("#conversation img, #conversation script").count() == 0
    assert page.evaluate("() => document.body.innerHTML.includes('<script>window.__xss')") is False
    assert errors == []


def test_the_kpi_page_charts_the_days_cases_by_channel_and_the_agents(browser, site):
    url, _ = site
    page, errors = open_page(browser, url, "alice")

    page.click("#nav-kpi")
    page.wait_for_selector("#kpi-chart rect")

    assert page.locator("#kpis strong").first.inner_text() == "3"
    assert page.locator("#kpi-chart rect").count() == 1 and page.locator("#kpi-chart text").count() == 7
    assert page.locator("#kpi-legend .legend").all_inner_texts() == ["mention"]
    expect(page.locator("#per-agent")).to_contain_text("No first response")
    assert errors == []


def test_screenshots_of_the_queue_a_case_and_a_phone(browser, site, tmp_path):
    """`make screenshots` runs this with CAREBIRD_UPDATE_SCREENSHOT=1: the README's images, regenerated."""
    url, stack = site
    DynamoTeam(stack.store).add("bob")
    page, _ = open_page(browser, url, "alice")
    page.goto(f"{url}#/case/{MAX}")
    page.click("#claim-button")
    page.goto(f"{url}#/queue")
    page.wait_for_selector(ROWS)
    page.screenshot(path=str(tmp_path / "inbox-queue.png"), full_page=True)
    page.goto(f"{url}#/case/{CLAIRE}")
    page.wait_for_selector("#draft")
    page.click("#templates button >> nth=1")
    page.wait_for_selector("#advice li")
    page.screenshot(path=str(tmp_path / "inbox-case.png"), full_page=True)
    phone, _ = open_page(
        browser, url, "alice", viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme="dark"
    )
    phone.screenshot(path=str(tmp_path / "inbox-phone.png"))

    shots = ["inbox-queue.png", "inbox-case.png", "inbox-phone.png"]
    assert all((tmp_path / name).stat().st_size > 10_000 for name in shots)
    if os.environ.get("CAREBIRD_UPDATE_SCREENSHOT"):
        for name in shots:
            shutil.copy(tmp_path / name, DOCS / name)


def test_the_sign_in_return_refuses_a_code_this_tab_did_not_ask_for(browser, site):
    url, _ = site
    page, _ = open_page(browser, url, "alice")
    calls = []
    page.on("request", lambda r: calls.append(r.url) if "oauth2/token" in r.url else None)

    without_state = page.evaluate(
        "() => finishCognitoSignIn(new URLSearchParams('code=stolen&state=abc')).then(() => 'accepted', e => e.message)"
    )
    page.evaluate("sessionStorage.setItem('carebird.state', 'mine'); sessionStorage.setItem('carebird.pkce', 'v')")
    other_state = page.evaluate(
        "() => finishCognitoSignIn(new URLSearchParams('code=stolen&state=abc')).then(() => 'accepted', e => e.message)"
    )

    assert without_state == other_state == "sign-in refused: this tab did not start it"
    assert calls == [] and page.evaluate("sessionStorage.getItem('carebird.state')") is None


def test_the_page_shows_when_x_stopped_automatic_posting_and_a_customers_opt_out(browser, site):
    from carebird.aws.pause import DynamoAutomationState

    url, stack = site
    claire = stack.store.get_case(CLAIRE)
    stack.store.record_opt_out(claire.customer.id, "1860000000000000777", clock.now())
    DynamoAutomationState(stack.store.table, stack.store.client).pause("credits_depleted", "X credits ran out", AT)
    page, errors = open_page(browser, url, "alice")

    expect(page.locator("#automation-banner")).to_be_visible()
    expect(page.locator("#automation-banner")).to_contain_text("X credits ran out")
    page.goto(f"{url}#/case/{CLAIRE}")
    expect(page.locator("#opted-out")).to_contain_text("Opted out of automated messages")
    DynamoAutomationState(stack.store.table, stack.store.client).resume()
    page.goto(f"{url}#/queue")
    expect(page.locator("#automation-banner")).to_be_hidden()
    assert errors == []
