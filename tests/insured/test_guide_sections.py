"""The 办事指南 on the home page explains flexible workers, bridging the two pension schemes and
the retirement age under the 2024 decision, in Chinese and in English."""

import pytest

pytestmark = pytest.mark.django_db


def test_guide_explains_flexible_workers_bridging_and_the_retirement_age(client):
    html = client.get("/").content.decode()
    for text in [
        "灵活就业人员",
        "缴费年限和个人账户储存额合并计算",
        "在同一省（自治区、直辖市）内流动就业的，不需要转移养老保险关系",
        "手续和要求与有单位的职工一样",
        "人社部发〔2014〕17号",
        "城乡居民养老保险的缴费年限不计为职工养老保险的缴费年限",
        "职工养老保险的缴费年限合并计算为城乡居民养老保险的缴费年限",
        "个人缴费和集体补助退还本人",
        "先把职工养老保险关系归集到职工养老保险待遇领取地",
        "1965年3月出生的男职工，法定退休年龄为60岁1个月，2025年4月达到",
    ]:
        assert text in html, text


def test_guide_sections_in_english(client):
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    html = client.get("/").content.decode()
    for text in [
        "Flexible workers",
        "Bridging the employee pension and the urban-rural resident pension",
        "collective subsidies for those months are refunded to you",
        "a man born in March 1965 has a statutory retirement age of 60 years and 1 month",
    ]:
        assert text in html, text
    assert "灵活就业人员" not in html
