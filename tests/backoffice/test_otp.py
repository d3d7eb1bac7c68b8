"""Two factors for every staff account (core.otp, portal.admin_site): no admin page and no
agency API action without a verified device; enrolment with a QR code; five wrong codes lock
the account's devices for fifteen minutes; backup codes; seed_demo's fixed secret."""

import datetime
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import otp
from core.tokens import token_issue
from tests.otp_helpers import DEMO_SECRET, api_verified, current_code, device_of, login_verified
from tests.transfers.factories import case_in, make_parties

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
VERIFY = reverse("admin:otp_verify")
ENROL = reverse("admin:otp_enrol")
CHANGELIST = reverse("admin:transfers_transfercase_changelist")


@pytest.fixture
def parties(regions):
    return make_parties()


def test_a_clerk_signed_in_with_the_password_only_reaches_no_admin_page(client, parties):
    client.force_login(parties.in_reviewer)
    for url in (INDEX, CHANGELIST, "/admin/agencies/agency/"):
        response = client.get(url, follow=True)
        # Admin → admin login → the second step: never the page itself.
        assert response.redirect_chain[-1][0].startswith(ENROL), url
    device_of(parties.in_reviewer)
    response = client.get(CHANGELIST, follow=True)
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    assert "输入动态验证码" in response.content.decode()


def test_first_login_enrols_with_a_qr_code_then_gives_backup_codes(client, parties):
    user = parties.in_reviewer
    client.force_login(user)
    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and 'class="segno"' in html
    # Nothing inline that a strict Content-Security-Policy would block.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\sstyle=|<style", html)
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert otp.secret_base32(device) == secret

    wrong = client.post(ENROL, {"code": "000000" if current_code(device) != "000000" else "1"})
    assert wrong.status_code == 400
    assert "动态验证码不正确" in wrong.content.decode()
    assert client.get(INDEX).status_code == 302

    done = client.post(ENROL, {"code": current_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(INDEX).status_code == 200
    # A bound device is not replaced by visiting the enrolment page again.
    assert client.get(ENROL).url == VERIFY


def test_the_code_of_the_enrolled_device_opens_the_back_office(client, parties):
    user = parties.out_finance
    device = device_of(user)
    client.force_login(user)
    response = client.post(f"{VERIFY}?next={CHANGELIST}", {"code": current_code(device)})
    assert response.status_code == 302 and response.url == CHANGELIST
    assert client.get(CHANGELIST).status_code == 200


def test_an_offsite_next_is_ignored(client, parties):
    device = device_of(parties.out_finance)
    client.force_login(parties.out_finance)
    response = client.post(f"{VERIFY}?next=https://evil.example/", {"code": current_code(device)})
    assert response.url == INDEX


def test_five_wrong_codes_lock_the_account_for_fifteen_minutes(client, parties):
    user = parties.in_finance
    device = device_of(user)
    right = current_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client.force_login(user)
    for attempt in range(4):
        response = client.post(VERIFY, {"code": wrong})
        assert response.status_code == 400, attempt
        assert "动态验证码不正确" in response.content.decode()
    fifth = client.post(VERIFY, {"code": wrong})
    assert fifth.status_code == 429
    assert "已暂停验证15分钟" in fifth.content.decode()

    # Locked: even the right code is refused, and the page says until when.
    refused = client.post(VERIFY, {"code": right})
    assert refused.status_code == 429
    assert client.get(INDEX).status_code == 302
    assert not otp.verify_staff_otp(user, right)

    # Fifteen minutes later the right code works again.
    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=15, seconds=1)
    )
    assert client.post(VERIFY, {"code": right}).status_code == 302
    assert client.get(INDEX).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_backup_code_works_once(client, parties):
    user = parties.out_reviewer
    device_of(user)
    code = otp.new_backup_codes(user)[0]
    assert otp.verify_staff_otp(user, code)
    assert not otp.verify_staff_otp(user, code)


def test_verify_staff_otp_checks_the_current_code_and_nothing_else(parties):
    user = parties.out_reviewer
    assert not otp.verify_staff_otp(user, "123456")  # no device at all
    device = device_of(user)
    assert not otp.verify_staff_otp(user, "")
    assert not otp.verify_staff_otp(user, "not-a-code")
    assert not otp.verify_staff_otp(user, current_code(device, offset_steps=-10))
    assert otp.verify_staff_otp(user, current_code(device))
    # The same code cannot be replayed.
    assert not otp.verify_staff_otp(user, current_code(device))


def test_agency_api_needs_a_verified_session_or_token(client, api_client, parties):
    case = case_in("submitted", parties)
    url = f"/api/v1/agency/transfers/{case.serial_no}/"

    client.force_login(parties.in_reviewer)
    refused = client.get(url)
    assert refused.status_code == 403
    assert refused.json()["code"] == "otp_required"

    login_verified(client, parties.in_reviewer)
    assert client.get(url).status_code == 200

    # A token issued without the second factor is not enough.
    key, _token = token_issue(user=parties.in_reviewer)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api_client.post(f"/api/v1/agency/transfers/{case.serial_no}/accept/")
    assert response.status_code == 403 and response.json()["code"] == "otp_required"
    case.refresh_from_db()
    assert case.status == "submitted"

    api_client.credentials()
    api_verified(api_client, parties.in_reviewer)
    assert api_client.get(url).status_code == 200


def test_seed_demo_gives_every_staff_account_the_printed_secret(regions, capsys, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--otp-secret", DEMO_SECRET)
    out = capsys.readouterr().out
    assert DEMO_SECRET in out
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user")
    names = {device.user.username for device in devices}
    assert {"admin", "bj-review", "bj-finance", "nj-review", "nj-finance"} <= names
    assert {otp.secret_base32(device) for device in devices} == {DEMO_SECRET}
    nj = next(device for device in devices if device.user.username == "nj-review")
    assert otp.verify_staff_otp(nj.user, current_code(nj))

    with pytest.raises(CommandError):
        call_command("seed_demo", "--otp-secret", "not base32!")


def test_the_page_asked_for_is_reached_after_the_code_query_string_included(client, parties):
    device = device_of(parties.in_reviewer)
    client.force_login(parties.in_reviewer)
    wanted = f"{CHANGELIST}?queue=review&overdue=yes"
    login = client.get(wanted, follow=True)
    verify_url = login.redirect_chain[-1][0]
    response = client.post(verify_url, {"code": current_code(device)})
    assert response.url == wanted
