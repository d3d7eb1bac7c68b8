"""axe-core on every public and person page, and a keyboard-only application (issue 12).

axe-core's ``axe.min.js`` comes from the axe-playwright-python package (PyPI), injected with
``page.evaluate`` (no CDN, and not subject to the pages' Content-Security-Policy). Each page is
checked in four combinations that cover every pair of {Chinese, English} × {standard, 长辈版} ×
{1280 px, 375 px} (a pairwise design: all eight would double the time and find nothing the
four cannot, since the three switches act independently in the CSS and templates). One browser,
one data set, one test for all pages, so the whole file stays well under a minute."""

import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core.models import Notification
from documents.models import Document
from tests.transfers.factories import TransferCaseFactory, make_mover, make_parties
from transfers.models import TransferCase
from transfers.workflow import CaseStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-9"  # tests.factories.UserFactory
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# (language, mode, width): every pair of values of two switches appears once.
COMBINATIONS = [
    ("zh-hans", "standard", 1280),
    ("zh-hans", "elder", 375),
    ("en", "elder", 1280),
    ("en", "standard", 375),
]
BLOCKING = {"serious", "critical"}


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def run_axe(page) -> list[dict]:
    results = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'wcag22aa', 'best-practice']}})"
    )
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    return json.dumps(
        [
            {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in violations
        ],
        ensure_ascii=False,
        indent=1,
    )


@pytest.fixture
def person_pages(regions):
    """A person with a case in progress (with attachment), a withdrawn one, a completed one with
    amounts, a document and a notification: every person page has something to show."""
    parties = make_parties()
    mover = make_mover(parties)
    mover.user.set_password(PASSWORD)
    mover.user.save(update_fields=["password"])

    def case(**traits):
        return TransferCaseFactory(
            parties=parties, person=mover, history__parties=parties, **traits
        )

    open_case = case()
    open_case.attachment_name = "凭证.pdf"
    open_case.attachment.save("x", SimpleUploadedFile("x.pdf", PDF), save=True)
    case(withdrawn=True)
    done = case(completed=True)
    document = Document.objects.create(
        kind="pension_contact_letter",
        number="苏南京2026第00001号",
        year=2026,
        sequence=1,
        holder=mover,
        agency=parties.in_agency,
        counterpart_agency=parties.out_agency,
        case_reference=done.serial_no,
        pdf="documents/x.pdf",
        sha256="0" * 64,
        size=10,
        issued_at=timezone.now(),
    )
    Notification.objects.create(user=mover.user, title="您的申请已受理", body="申报流水号…")
    enrollment = mover.enrollments.order_by("id").first()
    serial = open_case.serial_no
    return {
        "mover": mover,
        "pages": [
            "/me/records/",
            "/me/documents/",
            f"/me/documents/{document.pk}/",
            f"/me/documents/certificate/{enrollment.pk}/",
            "/me/documents/proof/",
            "/me/notifications/",
            "/transfers/",
            "/transfers/apply/",
            f"/transfers/{serial}/",
            f"/transfers/{serial}/submitted/",
            f"/transfers/{serial}/withdraw/",
            f"/transfers/{done.serial_no}/",
        ],
    }


PUBLIC_PAGES = [
    "/",
    "/regions/",
    "/regions/?parent=320100",
    "/regions/?parent=999999",  # the error summary
    "/agencies/",
    "/agencies/?region=320106",
    "/login/",
    "/register/",
]


def _context(browser, live_server, *, language, mode, width, session=None):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN" if language == "zh-hans" else "en-US",
        viewport={"width": width, "height": 900},
    )
    context.set_default_timeout(10_000)
    host = live_server.url.split("//")[1].split(":")[0]
    cookies = [
        {"name": "django_language", "value": language, "domain": host, "path": "/"},
        {"name": "display_mode", "value": mode, "domain": host, "path": "/"},
    ]
    if session:
        cookies.append({"name": "sessionid", "value": session, "domain": host, "path": "/"})
    context.add_cookies(cookies)
    return context


def test_no_serious_axe_violation_on_any_page_in_either_language_mode_or_width(
    browser, live_server, person_pages
):
    source = axe_source()
    client = Client()
    client.force_login(person_pages["mover"].user)
    session = client.cookies["sessionid"].value
    failures = {}
    for language, mode, width in COMBINATIONS:
        for session_id, urls in ((None, PUBLIC_PAGES), (session, person_pages["pages"])):
            context = _context(
                browser, live_server, language=language, mode=mode, width=width, session=session_id
            )
            # Loaded into every page before its own scripts (DevTools protocol: not subject
            # to the page's Content-Security-Policy, sent to the browser once per context).
            context.add_init_script(script=source)
            page = context.new_page()
            try:
                for url in urls:
                    response = page.goto(url)
                    assert response.status == (404 if "999999" in url else 200), url
                    expected = "elder" if mode == "elder" else ""
                    assert page.evaluate("document.documentElement.className") == expected
                    assert page.evaluate("document.documentElement.scrollWidth") <= width, url
                    found = run_axe(page)
                    if url == "/transfers/apply/":
                        # The same form after a refused submission: the error summary.
                        page.locator("form.apply-form button.primary").click()
                        page.wait_for_load_state()
                        assert page.evaluate("document.activeElement.id") == "error-summary"
                        found += run_axe(page)
                    if found:
                        failures[f"{language} {mode} {width}px {url}"] = describe(found)
            finally:
                context.close()
    assert not failures, "\n".join(f"{key}: {value}" for key, value in failures.items())


def test_elder_mode_has_large_text_tall_lines_and_big_targets(browser, live_server, regions):
    """长辈版 at the browser's default font: no text under 20 px, line height ≥ 1.6, every
    button, field, select and menu link at least 48 px tall; and the rem sizes follow the
    browser's own font setting (Chromium's default font size set to 32 px doubles them)."""
    context = _context(browser, live_server, language="zh-hans", mode="elder", width=1280)
    page = context.new_page()
    try:
        for url in ("/", "/login/", "/agencies/?region=320106"):
            page.goto(url)
            smallest, lowest = page.evaluate(
                """() => {
                  let smallest = 1e9, lowest = 1e9;
                  for (const el of document.body.querySelectorAll('*')) {
                    const text = Array.from(el.childNodes).some(
                      n => n.nodeType === 3 && n.textContent.trim());
                    if (!text || !el.getClientRects().length) continue;
                    if (el.closest('.visually-hidden')) continue;
                    const cs = getComputedStyle(el);
                    const size = parseFloat(cs.fontSize);
                    smallest = Math.min(smallest, size);
                    lowest = Math.min(lowest, parseFloat(cs.lineHeight) / size);
                  }
                  return [smallest, lowest];
                }"""
            )
            assert smallest >= 20, (url, smallest)
            assert lowest >= 1.6, (url, lowest)
            heights = page.evaluate(
                """() => Array.from(document.querySelectorAll(
                    'button, .button, select, .site-nav a, .elder-task, '
                    + 'input:not([type=hidden]):not([type=radio]):not([type=checkbox])'))
                  .filter(el => el.getClientRects().length && !el.closest('.visually-hidden'))
                  .map(el => [el.outerHTML.slice(0, 60), el.getBoundingClientRect().height])"""
            )
            small = [(html, h) for html, h in heights if h < 47.5]
            assert not small, (url, small)
        page.goto("/")
        assert page.locator(".elder-task").count() == 4
        assert page.locator(".elder-task").first.bounding_box()["height"] >= 80
    finally:
        context.close()

    # The widest text on the narrowest screen (English, 长辈版, 375 px): nothing sideways.
    context = _context(browser, live_server, language="en", mode="elder", width=375)
    page = context.new_page()
    try:
        for url in ("/", "/login/", "/regions/?parent=320100", "/agencies/?region=320106"):
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    finally:
        context.close()

    # The browser's font setting: rem sizes scale with it (html { font-size: 100% }).
    cdp_context = _context(browser, live_server, language="zh-hans", mode="standard", width=1280)
    page = cdp_context.new_page()
    try:
        page.goto("/")
        normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        session = cdp_context.new_cdp_session(page)
        session.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
        page.reload()
        larger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert normal == 16 and larger == 32
    finally:
        cdp_context.close()


FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return [false, 'body', null, false];
  const cs = getComputedStyle(el);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
  const shadow = cs.boxShadow && cs.boxShadow !== 'none';
  return [outline || shadow, el.outerHTML.slice(0, 80), cs.outlineColor, !!el.closest('main')];
}"""


def contrast_with_white(css_color: str) -> float:
    """WCAG contrast ratio of an ``rgb(r, g, b)`` colour against white."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", css_color)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


class Keyboard:
    """Drives a page with Tab / Shift+Tab / Enter / Space (and the arrow keys inside a select
    or radio group, which is how a keyboard chooses there), checking after every key that the
    focused element shows a focus indicator."""

    def __init__(self, page):
        self.page = page
        self.presses = 0

    def _check(self):
        visible, what, color, in_main = self.page.evaluate(FOCUS_VISIBLE)
        assert visible, f"focus not visible on {what}"
        if in_main:  # on the light page: the ring needs 3:1 against white (WCAG 1.4.11)
            assert contrast_with_white(color) >= 3, (what, color)

    def press(self, key: str, *, navigates: bool = False):
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
        else:
            self.page.keyboard.press(key)
        self.presses += 1
        if navigates and self.page.evaluate("document.activeElement === document.body"):
            return  # a new page: nothing has the focus until the next Tab
        self._check()

    def tab_to(self, selector: str, *, backwards: bool = False, limit: int = 80):
        if self.page.evaluate("s => document.activeElement.matches(s)", selector):
            return  # already there (the login form focuses its first field itself)
        for _ in range(limit):
            self.press("Shift+Tab" if backwards else "Tab")
            if self.page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    def choose(self, selector: str, value: str, *, limit: int = 60):
        """Tab to a select, then ArrowDown until it holds ``value`` (each step fires change)."""
        self.page.wait_for_selector(f"{selector} option[value='{value}']", state="attached")
        self.tab_to(selector)
        for _ in range(limit):
            if self.page.evaluate("() => document.activeElement.value") == value:
                return
            self.press("ArrowDown")
        raise AssertionError(f"{selector} never reached {value}")

    def type(self, text: str):
        self.page.keyboard.type(text)


def test_keyboard_only_person_logs_in_applies_and_withdraws_with_focus_always_visible(
    page, regions
):
    mover = make_mover(make_parties())
    mover.user.set_password(PASSWORD)
    mover.user.save(update_fields=["password"])
    keys = Keyboard(page)

    page.goto("/")
    keys.tab_to(".skip-link")
    keys.tab_to(".site-nav a[href='/login/']")
    keys.press("Enter", navigates=True)
    page.wait_for_url("**/login/")
    keys.tab_to("#id_username")
    keys.type(mover.user.username)
    keys.tab_to("#id_password")
    keys.type("wrong password")
    keys.press("Enter", navigates=True)
    # Refused: the error summary has the focus, and Tab goes on to the fields from there.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    keys.tab_to("#id_password")
    keys.type(PASSWORD)
    keys.tab_to("#id_username", backwards=True)  # Shift+Tab back: the name is still there
    assert page.input_value("#id_username") == mover.user.username
    keys.tab_to("button.primary")
    keys.press("Enter", navigates=True)
    page.wait_for_url("**/me/records/")

    keys.tab_to(".site-nav a[href='/transfers/apply/']")
    keys.press("Enter", navigates=True)
    page.wait_for_url("**/transfers/apply/")
    keys.tab_to("input[name=insurance][value=pension]")
    keys.press("Space")
    keys.choose("#id_category", "enterprise")
    keys.choose("#id_from_province", "110000")
    keys.choose("#id_from_city", "110105")
    keys.choose("#id_to_province", "320000")
    keys.choose("#id_to_city", "320100")
    keys.choose("#id_to_county", "320106")
    keys.tab_to("#id_declaration")
    keys.press("Space")
    assert page.is_checked("#id_declaration")
    keys.tab_to("form.apply-form button.primary")
    keys.press("Enter", navigates=True)
    page.wait_for_url("**/submitted/")
    serial_no = page.get_by_test_id("serial-no").inner_text().strip()
    assert re.fullmatch(r"\d{16}", serial_no)

    keys.tab_to(f"a[href='/transfers/{serial_no}/']")
    keys.press("Enter", navigates=True)
    page.wait_for_url(f"**/transfers/{serial_no}/")
    keys.tab_to(f"a[href='/transfers/{serial_no}/withdraw/']")
    keys.press("Enter", navigates=True)
    page.wait_for_url("**/withdraw/")
    keys.tab_to("button.primary")
    keys.press("Space", navigates=True)
    page.wait_for_url(f"**/transfers/{serial_no}/")
    case = TransferCase.objects.get(serial_no=serial_no)
    assert case.status == CaseStatus.WITHDRAWN
    assert case.person_id == mover.pk
    assert keys.presses > 20  # it really was driven key by key
