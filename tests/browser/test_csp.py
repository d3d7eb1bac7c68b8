"""The Content-Security-Policy in a real browser: the pages that run script (language switch,
API docs) work, and chromium reports no violation."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_api_docs_render_from_our_static_files_without_a_csp_violation(page):
    found = violations(page)
    external: list[str] = []
    page.on(
        "request",
        lambda request: (
            external.append(request.url)
            if not request.url.startswith(page.base_url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock-tag", timeout=15_000)
    assert page.locator(".opblock").count() > 10
    assert found == []
    assert external == []


def test_the_language_switch_works_under_the_policy(page, regions):
    found = violations(page)
    page.goto("/regions/")
    page.select_option("#lang-select", "en")
    page.get_by_role("button", name="切换语言").click()
    page.wait_for_load_state()
    # (No wait_for_function: Playwright builds its predicate with eval, which the policy
    # rightly forbids.)
    assert page.locator("html").get_attribute("lang") == "en"
    assert found == []
