"""导出Excel of my applications."""

import io

import pytest
from django.urls import reverse

from tests.transfers.factories import TransferCaseFactory, case_in, make_mover, make_parties

pytestmark = pytest.mark.django_db

EXPORT = reverse("transfer-export")
HEADERS = ["申报流水号", "险种", "转入类型", "转出地", "转入地", "办理状态", "申报时间", "办结时间"]


@pytest.fixture
def parties(regions):
    return make_parties()


def workbook(response):
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content)).active


def test_export_holds_the_persons_cases_only_with_bold_chinese_headers(
    client, parties, django_assert_max_num_queries
):
    mover = make_mover(parties)
    mine = [
        TransferCaseFactory(parties=parties, person=mover, history__parties=parties, **trait)
        for trait in ({"withdrawn": True}, {"completed": True}, {})
    ]
    someone_else = case_in("submitted", parties)
    client.force_login(mover.user)
    with django_assert_max_num_queries(6):
        sheet = workbook(client.get(EXPORT))

    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    serials = {row[0] for row in rows[1:]}
    assert serials == {case.serial_no for case in mine}
    assert someone_else.serial_no not in serials
    first = next(row for row in rows[1:] if row[0] == mine[0].serial_no)
    assert first[1] == "基本养老保险"
    assert first[2] == "外省企业保险转入"
    assert first[3] == "北京市朝阳区"
    assert first[4] == "江苏省南京市鼓楼区"
    assert first[5] == "已撤回"
    assert first[6] is not None and first[7] is None


def test_export_applies_the_list_filters(client, parties):
    mover = make_mover(parties)
    for trait in ({"withdrawn": True}, {"withdrawn": True}, {}):
        TransferCaseFactory(parties=parties, person=mover, history__parties=parties, **trait)
    client.force_login(mover.user)
    sheet = workbook(client.get(EXPORT, {"status": "withdrawn"}))
    statuses = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert statuses == ["已撤回", "已撤回"]
    sheet = workbook(client.get(EXPORT, {"insurance": "medical"}))
    assert sheet.max_row == 1  # headers only


def test_export_needs_a_registry_person(client, parties):
    client.force_login(parties.in_reviewer)
    assert client.get(EXPORT).status_code == 302
