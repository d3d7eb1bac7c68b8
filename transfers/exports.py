"""导出Excel: a person's applications as an .xlsx workbook (openpyxl, imported when used)."""

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from transfers.forms import category_label

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _local(value):
    # openpyxl stores naive datetimes only: write the wall-clock time of Asia/Shanghai.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def cases_workbook(cases: Iterable) -> bytes:
    """One sheet, one row per case, Chinese headers in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("转移接续申请")
    headers = [
        (_("申报流水号"), 20),
        (_("险种"), 16),
        (_("转入类型"), 24),
        (_("转出地"), 28),
        (_("转入地"), 28),
        (_("办理状态"), 26),
        (_("申报时间"), 18),
        (_("办结时间"), 18),
    ]
    sheet.append([title for title, _width in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_title, width) in enumerate(headers):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    for case in cases:
        sheet.append(
            [
                case.serial_no,
                str(case.get_insurance_display()),
                str(category_label(case.insurance, case.category)),
                case.from_region_name,
                case.to_region_name,
                str(case.get_status_display()),
                _local(case.submitted_at),
                _local(case.completed_at),
            ]
        )
        row = sheet.max_row
        sheet.cell(row=row, column=1).number_format = "@"  # a 16-digit number stays text
        for column in (7, 8):
            sheet.cell(row=row, column=column).number_format = DATETIME_FORMAT
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
