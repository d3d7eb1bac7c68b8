"""Playwright (sync API) against Debian's chromium and pytest-django's live server.

``page`` is a fresh browser context and tab per test, opened on the live server: use relative
URLs (``page.goto("/regions/")``); ``page.base_url`` holds the server's address. The browser
itself is launched once per test module, on first use, and stopped at the module's end, so a missing chromium skips (or under
REQUIRE_SERVICES=1 fails) through ``require_chromium`` before anything is launched.

Tests that use it also need the database to be set up before other fixtures write to it: mark
them ``pytest.mark.django_db(transaction=True)`` (the live server runs in another thread and
sees only committed data)."""

import os

import pytest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def _chromium_launcher():
    # Playwright's sync API runs an event loop in this thread while it is started; Django then
    # refuses database access (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is
    # set. Both live only as long as this module's browser, so later tests (transactional
    # flushes, subprocesses such as check --deploy) run with Django's protection intact.
    state: dict = {}
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")

    def launch(executable_path: str):
        if "browser" not in state:
            from playwright.sync_api import sync_playwright

            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            state["playwright"] = sync_playwright().start()
            state["browser"] = state["playwright"].chromium.launch(
                executable_path=executable_path, args=CHROMIUM_ARGS, headless=True
            )
        return state["browser"]

    yield launch
    if "browser" in state:
        state["browser"].close()
        state["playwright"].stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser(require_chromium, _chromium_launcher):
    return _chromium_launcher(require_chromium)


@pytest.fixture
def page(browser, live_server):
    # Chinese, like the people the portal serves: LocaleMiddleware reads Accept-Language.
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()
