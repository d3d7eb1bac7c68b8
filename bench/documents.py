"""Document rendering and serving figures (issue #3). Run: .venv/bin/python bench/documents.py

Renders are PDF/UA-1 (tagged) and issues include the PAdES signature (a throwaway CA).

Uses a throwaway SQLite database and media directory, never the configured ones. Prints:
first render in a fresh process, warm median of 20 certificate renders, the 30-year pension
info sheet, PDF sizes and pages, and the time to serve an issued PDF through the API.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="bench-documents-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ["DOCUMENT_SIGNING_DIR"] = str(WORK / "signing")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("AXES_ENABLED", "0")

FIRST_RENDER = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
import django
django.setup()
from bench.documents import certificate_context
context = certificate_context()
start = time.perf_counter()
from documents.rendering import render_to_pdf
render_to_pdf("documents/pension_certificate.html", context)
print(time.perf_counter() - start)
"""


def certificate_context() -> dict:
    """A certificate context with the marks document_issue adds, without a database."""
    import datetime
    from decimal import Decimal

    from django.utils.safestring import mark_safe

    from documents.contexts import qr_data_uri
    from documents.seal import seal_svg

    agency = {
        "name": "北京市朝阳区社会保险基金管理中心", "region_code": "110105",
        "region_name": "北京市朝阳区", "address": "北京市朝阳区周家井世通国际大厦E座5层",
        "phone": "010-53918532", "postal_code": "100024", "contact_person": "账户管理科",
        "bank_account_name": "", "bank_name": "", "bank_account_number": "",
    }  # fmt: skip
    url = "http://127.0.0.1:8000/verify/bench-token-000000000000000000/"
    return {
        "person": {
            "name": "张三",
            "sex": "男",
            "id_number": "110105199003071239",
            "birth_date": datetime.date(1990, 3, 7),
            "hukou_address": "北京市朝阳区建国路1号",
            "hukou_type": "城镇",
            "phone": "13800138000",
        },
        "insurance_label": "基本养老保险",
        "account_kind_label": "普通账户",
        "region_name": "北京市朝阳区",
        "start_month": datetime.date(2008, 7, 1),
        "end_month": datetime.date(2025, 6, 1),
        "months_paid": 204,
        "personal_account_balance": Decimal("116409.02"),
        "agency": agency,
        "seal_svg": mark_safe(seal_svg(agency["name"])),
        "qr_data_uri": qr_data_uri(url),
        "verify_url": url,
        "verification_code": "7K3M-Q9PX-2D4T",
        "number": "京朝阳2026第00001号",
        "title": "基本养老保险参保缴费凭证",
        "issued_at": datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC),
        "issued_on": datetime.date(2026, 1, 5),
    }


def fresh_process_first_render() -> float:
    output = subprocess.run(
        [sys.executable, "-c", FIRST_RENDER.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    ).stdout
    return float(output.strip().splitlines()[-1])


def main() -> None:
    import django

    print(f"first render in a fresh process (WeasyPrint import included): "
          f"{fresh_process_first_render():.2f} s   (target ≤ 3 s)")  # fmt: skip

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from documents.signing import ensure_ca

    ensure_ca()

    from agencies.models import Region
    from documents.kinds import DocumentKind
    from documents.rendering import render_to_pdf
    from documents.services import document_issue
    from tests.documents.conftest import sample_context
    from tests.factories import AgencyFactory, PersonFactory, UserFactory

    for code, name, level, parent in [
        ("110000", "北京市", 1, None), ("110105", "朝阳区", 3, "110000"),
        ("320000", "江苏省", 1, None), ("320100", "南京市", 2, "320000"),
    ]:  # fmt: skip
        Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent_id": parent}
        )
    beijing = AgencyFactory(region=Region.objects.get(code="110105"))
    nanjing = AgencyFactory(region=Region.objects.get(code="320100"))
    user = UserFactory(username="bench-holder")
    person = PersonFactory(name="张三", user=user)

    context = certificate_context()
    render_to_pdf("documents/pension_certificate.html", context)  # warm-up: fonts, imports
    times = []
    for _ in range(20):
        start = time.perf_counter()
        render_to_pdf("documents/pension_certificate.html", context)
        times.append(time.perf_counter() - start)
    print(f"certificate, warm, median of 20: {statistics.median(times):.3f} s "
          f"(min {min(times):.3f}, max {max(times):.3f})   (target ≤ 0.3 s)")  # fmt: skip

    from documents.signing import sign_pdf

    _html, pdf = render_to_pdf("documents/pension_certificate.html", context)
    sign_pdf(pdf, agency=beijing)  # warm-up: pyHanko import, key loading
    sign_times = []
    for _ in range(20):
        start = time.perf_counter()
        sign_pdf(pdf, agency=beijing)
        sign_times.append(time.perf_counter() - start)
    print(f"PAdES signature of a certificate, median of 20: {statistics.median(sign_times):.3f} s "
          f"(render + sign ≤ 0.3 s)")  # fmt: skip

    sizes = {}
    for kind in DocumentKind:
        kind_context = sample_context(
            kind, person=person, transfer_out=beijing, transfer_in=nanjing
        )
        start = time.perf_counter()
        document = document_issue(
            kind=kind, holder=person, agency=beijing, context=kind_context,
            counterpart_agency=nanjing,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        from pypdf import PdfReader

        pages = len(PdfReader(document.pdf.path).pages)
        sizes[kind] = (document, elapsed, pages)
        print(f"issue {kind.value:24s} {elapsed:.3f} s  {document.size / 1024:6.1f} KB  "
              f"{pages} page(s)   (size target ≤ 300 KB)")  # fmt: skip

    sheet_times = []
    sheet_context = sample_context(
        DocumentKind.PENSION_INFO_SHEET, person=person, transfer_out=beijing, transfer_in=nanjing
    )
    from documents.contexts import issued_marks

    sheet_context |= issued_marks(agency=beijing, number="京朝阳信2026第00001号",
                                  verify_url="http://x/verify/t/", token="t")  # fmt: skip
    sheet_context |= {"title": "信息表", "issued_on": context["issued_on"]}
    for _ in range(5):
        start = time.perf_counter()
        render_to_pdf("documents/pension_info_sheet.html", sheet_context)
        sheet_times.append(time.perf_counter() - start)
    print(f"pension info sheet, 30 yearly rows, median of 5: {statistics.median(sheet_times):.3f} s"
          f"   (target ≤ 1 s)")  # fmt: skip

    from django.test import Client

    client = Client()
    client.force_login(user)
    document = sizes[DocumentKind.PENSION_CERTIFICATE][0]
    serve = []
    for _ in range(20):
        start = time.perf_counter()
        response = client.get(document.url)
        b"".join(response.streaming_content)
        serve.append(time.perf_counter() - start)
    assert response.status_code == 200
    print(f"serve an issued PDF (test client, session auth), median of 20: "
          f"{statistics.median(serve) * 1000:.1f} ms   (target ≤ 20 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
