"""The kinds of official documents and the context each template is fed.

This is the contract between the callers that build contexts (``insured`` for certificates and
proofs, ``transfers`` for letters and info sheets) and the templates under
``documents/templates/documents/``. Contexts are plain data (str, int, date, Decimal, lists
and dicts of them); ``document_issue`` adds what every document carries (number, dates, the
issuing agency, seal, QR code, verification URL).
"""

import datetime
from decimal import Decimal
from typing import NotRequired, TypedDict

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    PENSION_CERTIFICATE = "pension_certificate", _("基本养老保险参保缴费凭证")
    MEDICAL_CERTIFICATE = "medical_certificate", _("基本医疗保障参保(合)凭证")
    PENSION_CONTACT_LETTER = "pension_contact_letter", _("基本养老保险关系转移接续联系函")
    MEDICAL_CONTACT_LETTER = "medical_contact_letter", _("基本医疗保险关系转移接续联系函")
    PENSION_INFO_SHEET = "pension_info_sheet", _("基本养老保险关系转移接续信息表")
    MEDICAL_INFO_SHEET = "medical_info_sheet", _("参保人员基本医疗保险信息表")
    INSURANCE_PROOF = "insurance_proof", _("个人参保证明")


TEMPLATES = {kind: f"documents/{kind.value}.html" for kind in DocumentKind}


class PersonContext(TypedDict):
    name: str
    sex: str  # 男 / 女
    id_number: str  # whole: the official forms print it
    birth_date: datetime.date
    hukou_address: str
    hukou_type: str  # 城镇 / 农村
    phone: str


class AgencyContext(TypedDict):
    name: str
    region_code: str
    region_name: str
    address: str
    phone: str
    postal_code: str
    contact_person: str
    bank_account_name: str
    bank_name: str
    bank_account_number: str


class YearRow(TypedDict):
    year: int
    first_month: int
    last_month: int
    months_paid: int
    monthly_base: Decimal
    employer_rate: Decimal  # e.g. Decimal("0.16")
    personal_rate: Decimal  # e.g. Decimal("0.08")
    personal_account_credit: Decimal
    interest: Decimal
    balance_at_year_end: Decimal
    # Paid by the person as a flexible worker (个人身份参保): the sheet says so on the row.
    flexible: NotRequired[bool]


class CertificateContext(TypedDict):
    """Both certificates (pension: 参保缴费凭证; medical: 参保(合)凭证)."""

    person: PersonContext
    insurance_label: str  # 基本养老保险 / 职工基本医疗保险
    account_kind_label: str
    region_name: str  # 转出地 (参保地) full name
    start_month: datetime.date
    end_month: datetime.date | None
    months_paid: int
    personal_account_balance: Decimal
    personal_number: NotRequired[str]  # 个人编号 (pension); the ID number when absent
    # Pension: of months_paid, those paid as a flexible worker (个人身份参保); absent when none.
    flexible_months: NotRequired[int]
    medical_security_number: NotRequired[str]  # 医疗保障编号 (medical); blank when absent


class ContactLetterContext(TypedDict):
    """Both contact letters; ``agency`` (added by document_issue) is the transfer-in agency."""

    serial_no: str
    person: PersonContext
    account_kind_label: str  # 普通账户 / 临时基本养老保险缴费账户
    transfer_out_agency: AgencyContext
    transfer_in_agency: AgencyContext
    category_label: str  # 外省企业保险转入 …


class PensionAmounts(TypedDict):
    """①–⑥ of the pension info sheet (国办发〔2009〕66号 art. 4)."""

    before_1998: Decimal  # ① personal contributions and interest before 1998-01-01
    since_1998_to_last_year: Decimal  # ② account balance 1998-01-01 .. end of previous year
    transfer_year_principal: Decimal  # ③ principal credited in the transfer year
    personal_account: Decimal  # ④ = ① + ② + ③
    pooled_fund: Decimal  # ⑤ 12% of bases × months from 1998-01
    total: Decimal  # ⑥ = ④ + ⑤


class CarriedRow(TypedDict):
    """Rights received earlier at the transfer-out place and moved on with this transfer."""

    serial_no: str
    from_region_name: str
    transfer_date: datetime.date | None
    months: int
    personal_account: Decimal
    pooled_fund: Decimal
    wages_since_1998: Decimal


class ResidentYearRow(TypedDict):
    year: int
    first_month: int
    last_month: int
    months: int  # months of the year the resident enrollment covered
    grade: Decimal  # 缴费档次, yuan a year
    personal_contribution: Decimal
    government_subsidy: Decimal
    collective_subsidy: Decimal
    total: Decimal
    overlap_months: int  # months also paid to the employee pension
    refund: Decimal  # personal + collective of those months (人社部发〔2014〕17号 art. 8)


class BridgingContext(TypedDict):
    """The 制度衔接 variant of the pension info sheet (人社部发〔2014〕17号)."""

    direction: str  # resident_to_employee / employee_to_resident
    direction_label: str
    resident_agency_name: str
    resident_years: list[ResidentYearRow]
    resident_account: Decimal  # every yearly payment: personal, government, collective
    overlap_months: int
    overlap_first: datetime.date | None
    overlap_last: datetime.date | None
    refund: Decimal  # refunded to the person
    merged: Decimal  # what goes into the other scheme's personal account (remitted)
    employee_account: NotRequired[Decimal]  # employee_to_resident: the employee account
    employee_months: NotRequired[int]  # employee_to_resident: counted as resident months


class PensionInfoSheetContext(TypedDict):
    serial_no: str
    person: PersonContext
    work_start: datetime.date | None  # 参加工作时间
    first_contribution: datetime.date  # 本人首次缴费时间
    account_established: datetime.date  # 建立个人账户时间
    local_start: datetime.date
    local_end: datetime.date | None
    months_paid: int
    transfer_date: datetime.date
    account_kind_label: str
    # A temporary account (临时基本养老保险缴费账户): line ⑤ is every employer contribution,
    # not 12% of wages (国办发〔2009〕66号 art. 8(2)). Absent means an ordinary account.
    temporary_account: NotRequired[bool]
    amounts: PensionAmounts
    years: list[YearRow]  # one row per contribution period, with its own rates
    transfer_out_agency: AgencyContext
    transfer_in_agency: AgencyContext
    carried_in: NotRequired[list[CarriedRow]]  # rights received here earlier, moved on
    bridging: NotRequired[BridgingContext]  # 城乡制度衔接 (人社部发〔2014〕17号)


class MedicalInfoSheetContext(TypedDict):
    serial_no: str
    person: PersonContext
    insurance_label: str  # 职工基本医疗保险
    periods: list[tuple[datetime.date, datetime.date | None]]
    months_paid: int
    personal_account: Decimal
    transfer_out_agency: AgencyContext
    transfer_in_agency: AgencyContext
    carried_in: NotRequired[list[CarriedRow]]


class ProofInsuranceRow(TypedDict):
    insurance_label: str
    status_label: str
    agency_name: str
    start_month: datetime.date
    end_month: datetime.date | None
    months: int
    years: list[tuple[int, int]]  # (year, months paid)
    # Only when some were paid as a flexible worker (灵活就业), so that the fingerprint of a
    # proof without such months is what it was: (year, months paid that way).
    flexible_years: NotRequired[list[tuple[int, int]]]


class ProofContext(TypedDict):
    person: PersonContext
    insurances: list[ProofInsuranceRow]


class IssuedContext(TypedDict):
    """Added by ``document_issue`` to every context (callers never pass these)."""

    title: str  # the kind's label, the form's title
    number: str  # 京朝阳2026第00001号
    issued_at: datetime.datetime
    issued_on: datetime.date
    agency: AgencyContext  # the issuing agency
    seal_svg: str  # the electronic seal, inline SVG markup
    qr_data_uri: str  # QR code of verify_url
    verify_url: str  # PORTAL_BASE_URL/verify/<token>/
    verification_code: str  # the short 验证码 as printed, 7K3M-Q9PX-2D4T (older: the token)
    portal_base_url: str
