"""The key figures of a document (关键数据): what a reader of the paper compares with the
verification page, so that an altered paper copy with a genuine QR code is caught.

Stored on the Document when it is issued, as ``[{"label": msgid, "value": text}]``: labels are
Chinese msgids translated when shown, values are language-neutral (¥1,234.50, 2008-07, 204).
Never the ID number, the phone or an address: the verification page is public.
"""

import datetime

from django.utils.translation import gettext_noop

from documents.kinds import DocumentKind
from documents.rmb import rmb


def _month(value: datetime.date | None) -> str:
    return f"{value.year}-{value.month:02d}" if value else "…"


def _span(start: datetime.date | None, end: datetime.date | None) -> str:
    return f"{_month(start)} — {_month(end) if end else '…'}"


def _figure(label: str, value, mark: str = "") -> dict:
    """``mark`` is the line's number on the form (①–⑥), printed before the label."""
    return {"label": label, "value": str(value), "mark": mark}


def key_figures(kind: str, context: dict) -> list[dict]:
    """The public key figures of a document of ``kind`` built from its issuing context."""
    kind = DocumentKind(kind)
    if kind in (DocumentKind.PENSION_CERTIFICATE, DocumentKind.MEDICAL_CERTIFICATE):
        return [
            _figure(gettext_noop("险种"), context["insurance_label"]),
            _figure(gettext_noop("参保地"), context["region_name"]),
            _figure(
                gettext_noop("在本地参保起止时间"),
                _span(context["start_month"], context["end_month"]),
            ),
            _figure(gettext_noop("本地实际缴费月数"), context["months_paid"]),
            _figure(
                gettext_noop("本地参保期间个人账户储存额"), rmb(context["personal_account_balance"])
            ),
        ]
    if kind in (DocumentKind.PENSION_CONTACT_LETTER, DocumentKind.MEDICAL_CONTACT_LETTER):
        return [
            _figure(gettext_noop("申报流水号"), context["serial_no"]),
            _figure(gettext_noop("转出地经办机构"), context["transfer_out_agency"]["name"]),
            _figure(gettext_noop("转入地经办机构"), context["transfer_in_agency"]["name"]),
            _figure(gettext_noop("账户类型"), context["account_kind_label"]),
        ]
    if kind == DocumentKind.PENSION_INFO_SHEET:
        amounts = context["amounts"]

        def amount(key: str) -> str:
            return rmb(amounts[key])

        return [
            _figure(gettext_noop("申报流水号"), context["serial_no"]),
            _figure(gettext_noop("转入地经办机构"), context["transfer_in_agency"]["name"]),
            _figure(gettext_noop("累计实际缴费月数"), context["months_paid"]),
            _figure(gettext_noop("1998年1月1日之前个人缴费累计本息"), amount("before_1998"), "①"),
            _figure(
                gettext_noop("1998年1月1日至上年末个人账户累计储存额"),
                amount("since_1998_to_last_year"),
                "②",
            ),
            _figure(
                gettext_noop("转移当年个人账户记账本金"), amount("transfer_year_principal"), "③"
            ),
            _figure(gettext_noop("个人账户基金转移额（①+②+③）"), amount("personal_account"), "④"),
            _figure(
                gettext_noop("统筹基金转移额（1998年1月起实际缴费工资总额的12%）"),
                amount("pooled_fund"),
                "⑤",
            ),
            _figure(gettext_noop("转移基金总额（④+⑤）"), amount("total"), "⑥"),
        ]
    if kind == DocumentKind.MEDICAL_INFO_SHEET:
        return [
            _figure(gettext_noop("申报流水号"), context["serial_no"]),
            _figure(gettext_noop("转入地经办机构"), context["transfer_in_agency"]["name"]),
            _figure(
                gettext_noop("参保期间"),
                "; ".join(_span(start, end) for start, end in context["periods"]),
            ),
            _figure(gettext_noop("累计实际缴费月数"), context["months_paid"]),
            _figure(gettext_noop("个人账户转移金额"), rmb(context["personal_account"])),
        ]
    if kind == DocumentKind.INSURANCE_PROOF:
        figures = []
        for row in context["insurances"]:
            figures.append(
                _figure(
                    row["insurance_label"],
                    f"{row['status_label']}, {_span(row['start_month'], row['end_month'])}, "
                    f"{row['months']}",
                )
            )
        return figures
    raise ValueError(kind)
