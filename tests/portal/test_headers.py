"""Headers of issue 10, items 7 and 8: a strict Content-Security-Policy that every page keeps
to (no inline script, style or handler without the nonce), the API docs served from our own
static files, and no-store on everything personal."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from documents.models import Document
from tests.otp_helpers import api_verified, login_verified
from tests.transfers.factories import case_in, login, make_parties

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+=", re.IGNORECASE)


@pytest.fixture
def people(regions):
    parties = make_parties()
    case = case_in("submitted", parties)
    return {
        "parties": parties,
        "case": case,
        "person": case.person.user,
        "clerk": parties.in_reviewer,
        "root": login("root", is_staff=True, is_superuser=True),
    }


def pages(people) -> list[tuple[str, str]]:
    case = people["case"]
    return [
        ("anonymous", "/"),
        ("anonymous", "/regions/"),
        ("anonymous", "/agencies/"),
        ("anonymous", "/login/"),
        ("anonymous", "/register/"),
        ("anonymous", "/api/v1/docs/"),
        ("person", "/me/records/"),
        ("person", "/me/documents/"),
        ("person", "/transfers/"),
        ("person", "/transfers/apply/"),
        ("person", f"/transfers/{case.serial_no}/"),
        ("person", "/me/notifications/"),
        ("clerk", "/admin/"),
        ("clerk", reverse("admin:transfers_transfercase_changelist")),
        ("clerk", reverse("admin:transfers_transfercase_change", args=[case.pk])),
        ("root", reverse("admin:insured_insuredperson_changelist")),
        ("root", reverse("admin:documents_document_changelist")),
        ("root", reverse("admin:agencies_agency_changelist")),
    ]


def test_every_page_has_a_strict_csp_and_no_inline_script_style_or_handler(client, people):
    for who, url in pages(people):
        client.logout()
        if who != "anonymous":
            login_verified(client, people[who])
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        html = response.content.decode()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, STYLE_ATTRIBUTE, HANDLER_ATTRIBUTE):
            found = pattern.search(html)
            assert found is None, (url, found and html[found.start() : found.start() + 120])
        # a nonce'd element must carry the nonce of this response's policy
        for nonce in re.findall(r'nonce="([^"]+)"', html):
            assert f"'nonce-{nonce}'" in policy, url


def test_api_docs_load_swagger_ui_from_our_own_static_files(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert "cdn" not in html.lower() and "@latest" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    bundle = next(s for s in sources if s.endswith("swagger-ui-bundle.js"))
    assert bundle.startswith("/static/")
    assert finders.find(bundle.removeprefix("/static/")) is not None
    script = next(s for s in sources if "script" in s and "docs" in s)
    settings_js = client.get(script)
    assert settings_js.status_code == 200
    assert "javascript" in settings_js["Content-Type"]


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("person", "/me/records/"),
        ("person", "/me/documents/"),
        ("person", "/transfers/"),
        ("person", "/api/v1/me/"),
        ("person", "/api/v1/transfers/"),
        ("clerk", "/admin/"),
        ("clerk", "/api/v1/agency/transfers/?queue=review"),
    ],
)
def test_personal_pages_and_the_api_are_never_stored(client, people, who, url):
    login_verified(client, people[who])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_pdfs_are_never_stored(api_client, regions):
    from tests.factories import (
        AgencyFactory,
        ContributionYearFactory,
        EnrollmentFactory,
        PersonFactory,
        UserFactory,
        region,
    )

    person = PersonFactory(user=UserFactory())
    enrollment = EnrollmentFactory(
        person=person, agency=AgencyFactory(region=region("110105")), region=region("110105")
    )
    ContributionYearFactory(enrollment=enrollment, year=2020)
    api_verified(api_client, person.user)
    issued = api_client.post("/api/v1/me/proofs/", {}, format="json")
    assert issued.status_code == 201, issued.content
    document = Document.objects.get()
    response = api_client.get(document.url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
