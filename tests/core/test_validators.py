"""Free text and phone numbers: one rule in core.validators, applied alike by the application
form, the API serializer, the service and the admin's model forms."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.errors import DomainError
from core.validators import (
    PlainTextValidator,
    is_phone,
    validate_plain_multiline_text,
    validate_plain_text,
)
from tests.transfers.factories import case_in, make_mover, make_parties
from transfers import services
from transfers.forms import ApplyForm, ReasonForm
from transfers.serializers import ReasonSerializer, TransferCreateSerializer

RLO = "\u202e"
BIDI_AND_CONTROLS = [
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    *"\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff\u2028",
]


@pytest.mark.parametrize("char", BIDI_AND_CONTROLS)
def test_control_and_bidi_characters_are_refused_naming_the_code_point(char):
    with pytest.raises(ValidationError) as refused:
        validate_plain_text(f"北京市{char}朝阳区")
    message = refused.value.messages[0]
    assert f"U+{ord(char):04X}" in message and "第4个字符" in message


def test_line_breaks_are_allowed_only_in_multiline_text():
    validate_plain_multiline_text("第一行\r\n第二行\t完")
    with pytest.raises(ValidationError):
        validate_plain_text("第一行\n第二行")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp"))))
def test_ordinary_text_of_any_script_passes(text):
    validate_plain_text(text)


@given(st.text(), st.sampled_from(BIDI_AND_CONTROLS), st.text())
def test_any_text_with_a_forbidden_character_is_refused(before, char, after):
    with pytest.raises(ValidationError):
        PlainTextValidator()(before + char + after)


@pytest.mark.parametrize(
    ("phone", "valid"),
    [
        ("13912345678", True),
        ("010-12345678", True),
        ("02112345678", True),
        ("12012345678", False),  # no mobile number starts with 12: the form used to accept it
        ("1391234567", False),
        ("139123456789", False),
        ("１３９１２３４５６７８", False),  # full-width digits
        ("13９12345678", False),
    ],
)
@pytest.mark.django_db
def test_form_serializer_and_service_agree_on_a_phone_number(phone, valid):
    assert is_phone(phone) is valid
    form = ApplyForm(data={"phone": phone})
    form.is_valid()
    assert ("phone" not in form.errors) is valid
    serializer = TransferCreateSerializer(data={"phone": phone})
    serializer.is_valid()
    assert ("phone" not in serializer.errors) is valid


@pytest.mark.django_db
def test_form_and_serializer_refuse_a_right_to_left_override_in_the_address():
    address = f"北京市朝阳区{RLO}号1路国建"
    form = ApplyForm(data={"hukou_address": address})
    form.is_valid()
    assert "U+202E" in form.errors["hukou_address"][0]
    serializer = TransferCreateSerializer(data={"hukou_address": address})
    serializer.is_valid()
    assert "U+202E" in str(serializer.errors["hukou_address"][0])


def test_reason_forms_allow_line_breaks_but_not_bidi_overrides():
    assert ReasonForm(data={"reason": "材料不全\n请补充"}).is_valid()
    assert not ReasonForm(data={"reason": f"材料{RLO}不全"}).is_valid()
    assert not ReasonSerializer(data={"reason": f"材料{RLO}不全"}).is_valid()


@pytest.mark.django_db
def test_the_service_refuses_what_the_form_refuses(regions):
    parties = make_parties()
    person = make_mover(parties)
    values = {
        "person": person,
        "insurance": "pension",
        "category": "enterprise",
        "from_region": "110105",
        "to_region": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
        "actor": person.user,
    }
    with pytest.raises(DomainError) as refused:
        services.transfer_submit(**{**values, "phone": "12012345678"})
    assert refused.value.code == "invalid_phone"
    with pytest.raises(DomainError) as refused:
        services.transfer_submit(**{**values, "hukou_address": f"北京{RLO}市"})
    assert refused.value.code == "control_character" and "U+202E" in str(refused.value.message)
    case = case_in("submitted", parties)
    with pytest.raises(DomainError):
        services.transfer_reject(case=case, actor=parties.in_reviewer, reason=f"不符{RLO}合")


@pytest.mark.django_db
def test_the_api_answers_400_with_the_field_and_the_character(api_client, regions):
    parties = make_parties()
    person = make_mover(parties)
    api_client.force_authenticate(person.user)
    response = api_client.post(
        "/api/v1/transfers/",
        {
            "insurance": "pension",
            "category": "enterprise",
            "from_region": "110105",
            "to_region": "320106",
            "phone": "13912345678",
            "hukou_address": f"北京市{RLO}朝阳区",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "U+202E" in response.json()["hukou_address"][0]


@pytest.mark.django_db
def test_the_admin_model_form_refuses_a_bidi_override_in_an_agency_address(regions):
    from django.forms import modelform_factory

    from agencies.models import Agency

    form = modelform_factory(Agency, fields=["address"])(data={"address": f"南京{RLO}市"})
    assert not form.is_valid() and "U+202E" in form.errors["address"][0]
