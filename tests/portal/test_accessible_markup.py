"""Markup rules from the accessibility review (issue 12), checked on the server's HTML."""

from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.shortcuts import render
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.templatetags.portal_format import error_label, grouped, label_colon, yuan

pytestmark = pytest.mark.django_db


def test_the_language_select_does_not_submit_on_change_and_has_a_button(client):
    html = client.get("/").content.decode()
    form = html[
        html.index('class="lang-switch"') : html.index("</form>", html.index("lang-switch"))
    ]
    assert "onchange" not in form and "<noscript>" not in form
    assert '<button type="submit"' in form and "切换语言" in form


def test_pages_have_no_inline_script_or_style(client, regions):
    for url in ("/", reverse("region-lookup"), reverse("agency-lookup"), reverse("login")):
        html = client.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and "onchange=" not in html


def test_flash_messages_are_paragraphs_in_a_status_region_not_list_items(rf):
    request = rf.get("/")
    request.session = {}
    request.user = AnonymousUser()
    request._messages = FallbackStorage(request)
    request._messages.add(messages.SUCCESS, "申请已撤回。")
    html = render(request, "base.html").content.decode()
    start = html.index('class="messages"') - len("<div ")
    region = html[start : html.index("</div>", start)]
    assert region.startswith("<div ") and 'role="status"' in region
    assert '<p class="message success">申请已撤回。</p>' in region
    assert "<li" not in region and "<ul" not in region


def test_chinese_labels_end_with_the_full_width_colon_and_english_ones_with_none(client, regions):
    html = client.get(reverse("login")).content.decode()
    assert "用户名：</label>" in html or "身份证号码：</label>" in html
    assert ":</label>" not in html
    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "：</label>" not in english and ":</label>" not in english


def test_label_colon_filter_follows_the_language():
    with translation.override("zh-hans"):
        assert label_colon("联系电话") == "联系电话："
        assert label_colon("已有：") == "已有："
    with translation.override("en"):
        assert label_colon("Phone") == "Phone"


def test_error_summary_labels_lose_their_own_full_stop_before_the_colon():
    with translation.override("zh-hans"):
        assert error_label("本人承诺所填信息真实。") == "本人承诺所填信息真实："
        assert error_label("联系电话") == "联系电话："
    with translation.override("en"):
        assert error_label("I declare this is true.") == "I declare this is true: "


def test_amounts_have_thousands_separators_like_the_pdfs():
    assert yuan(Decimal("173034.93")) == "¥173,034.93"
    assert yuan("1000") == "¥1,000.00"
    assert yuan(Decimal("-12")) == "-¥12.00"
    assert yuan(None) == "" and yuan("not a number") == ""
    assert grouped(Decimal("15667.2")) == "15,667.20"


@given(st.decimals(min_value=0, max_value=10**11, places=2, allow_nan=False))
def test_grouped_amounts_read_back_to_the_same_value(amount):
    text = yuan(amount)
    assert text.startswith("¥")
    assert Decimal(text[1:].replace(",", "")) == amount
    integer = text[1:].split(".")[0]
    assert all(len(group) == 3 for group in integer.split(",")[1:])


def test_error_summary_include_links_each_error_to_its_field():
    from django import forms

    class Form(forms.Form):
        phone = forms.CharField(label="联系电话")

    with translation.override("zh-hans"):
        form = Form(data={})
        form.is_valid()
        html = Template('{% include "includes/error_summary.html" %}').render(
            Context({"form": form})
        )
    assert 'id="error-summary"' in html and 'tabindex="-1"' in html and 'role="alert"' in html
    assert 'href="#id_phone"' in html and "联系电话：" in html


@override_settings(LANGUAGE_CODE="zh-hans")
def test_a_refused_login_shows_the_error_summary(client, regions):
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert "js/portal.js" in html  # the static script that moves the focus to it
