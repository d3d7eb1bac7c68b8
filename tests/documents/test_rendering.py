"""Every template rendered through document_issue and read back: text, fonts, pages, size,
no WeasyPrint error, and a PNG of the first page."""

import logging

import pytest

from documents.kinds import DocumentKind
from documents.rendering import render_to_pdf
from documents.services import document_issue
from tests.documents.conftest import pdf_fonts, pdf_pages, pdf_text, pdf_to_png, sample_context

pytestmark = pytest.mark.django_db

COMMON = ["张三", "北京市朝阳区社会保险基金管理中心"]
EXPECTED = {
    DocumentKind.PENSION_CERTIFICATE: [
        "基本养老保险参保缴费凭证", "京朝阳养2026第00001号", "个人编号", "户籍地地址",
        "本地实际缴", "204", "¥16,409.02", "2008年07月", "2025年06月", "本凭证一式两联",
        "重要提示", "申请补办", "社会保险经办机构（章）",
    ],
    DocumentKind.MEDICAL_CERTIFICATE: [
        "基本医疗保障参保(合)凭证", "京朝阳医2026第00001号", "医疗保障编号", "户籍类型",
        "职工基本医疗保险", "壹万陆仟肆佰零玖元零贰分", "¥16,409.02", "3个月内",
        "人力资源和社会保障部",
    ],
    DocumentKind.PENSION_CONTACT_LETTER: [
        "基本养老保险关系转移接续联系函", "京朝阳养联2026第00001号", "2026010500000001",
        "南京市社会保险管理中心", "开户银行", "银行账号", "普通账户", "外省企业保险转入",
    ],
    DocumentKind.MEDICAL_CONTACT_LETTER: [
        "基本医疗保险关系转移接续联系函", "京朝阳医联2026第00001号", "南京市社会保险管理中心",
        "银行账号",
    ],
    DocumentKind.PENSION_INFO_SHEET: [
        "基本养老保险关系转移接续信息表", "京朝阳养信2026第00001号", "参加工作时间",
        "本人首次缴费时间", "建立个人账户时间", "①", "②", "③", "④", "⑤", "⑥",
        "¥1,409.50", "壹仟肆佰零玖元伍角", "陆仟零柒元壹角肆分", "¥100,000,000.00",
        "壹亿元整", "壹亿零壹万陆仟肆佰零玖元零贰分", "1996", "2025", "16%", "8%",
        "至本年末账户累计储存额",
    ],
    DocumentKind.MEDICAL_INFO_SHEET: [
        "参保人员基本医疗保险信息表", "京朝阳医信2026第00001号", "累计实际缴费月数", "126",
        "陆仟零柒元壹角肆分", "¥6,007.14", "南京市社会保险管理中心",
    ],
    DocumentKind.INSURANCE_PROOF: [
        "个人参保证明", "京朝阳证2026第00001号", "正常参保", "2015年", "132",
    ],
}  # fmt: skip
PAGES = {DocumentKind.PENSION_INFO_SHEET: (2, 6)}


@pytest.fixture(autouse=True)
def _year_2026(monkeypatch):
    import datetime

    from django.utils import timezone

    fixed = datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: fixed)


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_form_reads_back_with_its_labels_values_and_subset_fonts(
    kind, person, beijing, nanjing, tmp_path, weasyprint_log
):
    context = sample_context(kind, person=person, transfer_out=beijing, transfer_in=nanjing)
    document = document_issue(
        kind=kind, holder=person, agency=beijing, context=context, counterpart_agency=nanjing
    )
    pdf = document.pdf.open("rb").read()

    text = pdf_text(pdf, tmp_path)
    squeezed = "".join(text.split())
    for expected in [*COMMON, person.id_number, *EXPECTED[kind]]:
        assert "".join(expected.split()) in squeezed, expected
    # every page: number, date, verification URL (the QR code's target), electronic seal
    assert "2026年01月05日" in text
    assert document.printed_code in squeezed
    assert "电子印章" in text

    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts, "no fonts embedded"
    for row in fonts:
        name, emb, sub = row[0], row[-5], row[-4]
        assert "Noto-Serif-CJK-SC" in name, row
        assert (emb, sub) == ("yes", "yes"), row
        assert "+" in name and len(name.split("+")[0]) == 6, row

    low, high = PAGES.get(kind, (1, 1))
    assert low <= pdf_pages(pdf) <= high
    assert len(pdf) <= 300 * 1024
    assert not [r for r in weasyprint_log.records if r.levelno >= logging.ERROR]
    png = pdf_to_png(pdf, tmp_path, kind.value)
    assert png.stat().st_size > 10_000


def test_info_sheet_with_30_years_repeats_number_and_seal_on_every_page(
    person, beijing, nanjing, tmp_path
):
    context = sample_context(
        DocumentKind.PENSION_INFO_SHEET, person=person, transfer_out=beijing, transfer_in=nanjing
    )
    document = document_issue(
        kind=DocumentKind.PENSION_INFO_SHEET, holder=person, agency=beijing, context=context
    )
    pdf = document.pdf.open("rb").read()
    pages = pdf_pages(pdf)
    assert pages >= 2
    text = pdf_text(pdf, tmp_path)
    assert text.count(document.number) >= pages
    assert text.count("扫码验证真伪") == pages
    assert f"共{pages}页" in "".join(text.split())


def test_render_to_pdf_returns_html_and_pdf(person, beijing, nanjing):
    from documents.contexts import issued_marks

    context = sample_context(
        DocumentKind.PENSION_CERTIFICATE, person=person, transfer_out=beijing, transfer_in=nanjing
    )
    context |= issued_marks(agency=beijing, number="京朝阳2026第00009号", verify_url="x", token="t")
    html, pdf = render_to_pdf("documents/pension_certificate.html", context)
    assert "京朝阳2026第00009号" in html and "<svg" in html
    assert pdf.startswith(b"%PDF-")


@pytest.mark.parametrize(
    "kind", [DocumentKind.PENSION_CERTIFICATE, DocumentKind.PENSION_INFO_SHEET]
)
def test_issued_pdfs_are_tagged_pdf_ua_in_chinese_with_a_title_and_table_headers(
    kind, person, beijing, nanjing
):
    import io

    import pikepdf

    context = sample_context(kind, person=person, transfer_out=beijing, transfer_in=nanjing)
    document = document_issue(kind=kind, holder=person, agency=beijing, context=context)
    pdf = pikepdf.open(io.BytesIO(document.pdf.open("rb").read()))
    root = pdf.Root
    assert str(root.Lang) == "zh-CN"
    assert bool(root.MarkInfo.Marked) is True
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    assert str(pdf.docinfo.Title).startswith(str(kind.label))
    with pdf.open_metadata() as xmp:
        assert xmp.get("pdfuaid:part") == "1"

    roles = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                roles.append(str(node.S))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary):
                    walk(kid)

    walk(root.StructTreeRoot)
    assert {"/Document", "/H1", "/Table", "/TR", "/TH", "/TD"} <= set(roles)
    assert roles.count("/TH") >= 5
