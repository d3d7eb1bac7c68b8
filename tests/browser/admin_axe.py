"""axe-core (vendored in axe-playwright-python, no CDN) on the back-office pages: the rules a
clerk's screen reader or eyes would trip over, reported as readable lines."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def serious_violations(page) -> list[str]:
    """The serious and critical axe-core violations on the page (empty: none)."""
    results = _axe.run(page)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} at "
        f"{[node['target'] for node in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def assert_accessible(page) -> None:
    problems = serious_violations(page)
    assert problems == [], "\n".join(problems)
