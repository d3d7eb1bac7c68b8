"""Forms of the applicant pages and of the back-office buttons. They parse and check input only;
whether a transfer may be opened or moved on is decided by ``transfers.services``."""

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agencies.models import Insurance, Region
from core.errors import DomainError
from core.validators import validate_phone, validate_plain_multiline_text, validate_plain_text
from transfers import attachments
from transfers.models import (
    BRIDGING_CATEGORIES,
    CATEGORIES_BY_INSURANCE,
    Category,
    category_label,
)
from transfers.workflow import MOVES, CaseStatus


def _category_groups() -> list[tuple[str, str, list]]:
    """(insurance, group label, choices): the categories by insurance in the forms' order, then
    城乡制度衔接 (pension, between the employee and the resident scheme)."""
    return [
        *(
            (
                str(insurance),
                Insurance(insurance).label,
                [(c.value, category_label(insurance, c)) for c in categories],
            )
            for insurance, categories in CATEGORIES_BY_INSURANCE.items()
        ),
        (
            str(Insurance.PENSION),
            _("城乡养老保险制度衔接（养老保险）"),
            [(c.value, Category(c).label) for c in BRIDGING_CATEGORIES],
        ),
    ]


def category_choices() -> list:
    """The categories as option groups (an <optgroup> each)."""
    return [(label, choices) for _insurance, label, choices in _category_groups()]


def category_group_insurances() -> str:
    """The insurance of each option group of ``category_choices``, in order, for the page's
    script that offers only the groups of the chosen insurance."""
    return " ".join(insurance for insurance, _label, _choices in _category_groups())


def categories_of(insurance: str) -> tuple:
    """The categories a form accepts with ``insurance``: bridging is a pension case."""
    bridging = BRIDGING_CATEGORIES if insurance == Insurance.PENSION else ()
    return (*CATEGORIES_BY_INSURANCE[insurance], *bridging)


def validate_attachment(upload) -> None:
    """One merged PDF, JPG or PNG file of at most 1024 KB: the rule of ``transfers.attachments``,
    shown on the field instead of the whole form."""
    try:
        attachments.validate_attachment(upload)
    except DomainError as exc:
        raise forms.ValidationError(exc.message, code="attachment_invalid") from None


SIDES = (
    ("from", _("转出地"), _("原参保地，即您要把社保关系转出的地区。")),
    (
        "from2",
        _("另一转出地（可选）"),
        _(
            "在两个地方都有参保缴费记录的（如广州和杭州），可在同一申请中一并转入，"
            "两地同时分别办理；没有的不填。"
        ),
    ),
    ("to", _("转入地"), _("新就业地，即您现在参保缴费、要转入的地区。")),
)
LEVELS = (
    ("province", _("省（自治区、直辖市）")),
    ("city", _("市（地区、州）或区")),
    ("county", _("区（县）")),
)


class ApplyForm(forms.Form):
    """转入申请 (stage 2): the national form's fields plus Beijing's transfer-in categories.

    Regions are picked province → city → district. The choices of a lower select depend on the
    one above, so they are built from the submitted (or initial) values: without JavaScript the
    person presses “选择下级地区” and the page comes back with the next level filled in."""

    insurance = forms.ChoiceField(
        label=_("转移险种"), choices=Insurance.choices, widget=forms.RadioSelect
    )
    category = forms.ChoiceField(
        label=_("转入类型"),
        choices=[("", _("请选择"))],
        help_text=_(
            "养老保险可选：外省企业保险转入、外省机关事业保险转入；医疗保险可选：普通职工。"
            "同时参加过职工养老保险和城乡居民养老保险、已达到退休年龄的，可选城乡养老保险制度衔接，"
            "转出地填原参保地，转入地填待遇领取地，只填一个转出地。"
            "退役军人保险转入、未就业随军配偶保险转入和医疗保险随军配偶转入，"
            "请到转入地经办机构窗口办理。"
        ),
    )
    from_province = forms.ChoiceField(label=LEVELS[0][1])
    from_city = forms.ChoiceField(label=LEVELS[1][1], required=False)
    from_county = forms.ChoiceField(label=LEVELS[2][1], required=False)
    from2_province = forms.ChoiceField(label=LEVELS[0][1], required=False)
    from2_city = forms.ChoiceField(label=LEVELS[1][1], required=False)
    from2_county = forms.ChoiceField(label=LEVELS[2][1], required=False)
    to_province = forms.ChoiceField(label=LEVELS[0][1])
    to_city = forms.ChoiceField(label=LEVELS[1][1], required=False)
    to_county = forms.ChoiceField(label=LEVELS[2][1], required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    hukou_address = forms.CharField(
        label=_("户籍地址"), max_length=200, validators=[validate_plain_text]
    )
    attachment = forms.FileField(
        label=_("上传附件（可选）"),
        required=False,
        validators=[validate_attachment],
        help_text=_("PDF、JPG或PNG格式，多个材料请合并为一个文件，大小不超过1024KB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    approved_transfer = forms.BooleanField(
        label=_("经组织人事部门批准调动（须将调动批准材料作为附件上传）"),
        required=False,
        help_text=_(
            "男满50周岁、女满40周岁，转入地不是户籍所在省的，基本养老保险关系不转移，"
            "转入地建立临时缴费账户；经批准调动的除外。"
        ),
    )
    declaration = forms.BooleanField(
        label=_("本人承诺所填信息真实、准确，已在转入地参保缴费，并同意经办机构核查本人参保信息。"),
        error_messages={"required": _("请阅读并勾选承诺。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("请选择")), *category_choices()]
        self.fields["category"].widget.attrs["data-group-insurance"] = category_group_insurances()
        provinces = list(
            Region.objects.filter(level=1, online_transfer_enabled=True).order_by("code")
        )
        self.region_levels: dict[str, list[dict]] = {}
        for side, side_label, _help in SIDES:
            self._set_region_choices(side, provinces)
            # Both sides have a "province" select: the error summary names the side too
            # (templates/includes/error_summary.html reads ``summary_label``).
            for level, level_label in LEVELS:
                self.fields[f"{side}_{level}"].summary_label = format_lazy(
                    "{} · {}", side_label, level_label
                )

    def _value(self, name: str) -> str:
        if self.is_bound:
            return (self.data.get(self.add_prefix(name)) or "").strip()
        return str(self.initial.get(name) or "")

    def _set_region_choices(self, side: str, provinces: list[Region]) -> None:
        """Fill the three selects of one side: provinces always, a lower level only under a
        valid choice above it (a stale city from another province simply isn't offered)."""
        options = {"province": provinces, "city": [], "county": []}
        province = next((p for p in provinces if p.code == self._value(f"{side}_province")), None)
        if province is not None:
            options["city"] = list(Region.objects.filter(parent=province).order_by("code"))
            city = next((c for c in options["city"] if c.code == self._value(f"{side}_city")), None)
            # Beijing's districts hang from the municipality: a level-3 city has no children.
            if city is not None and city.level < 3:
                options["county"] = list(Region.objects.filter(parent=city).order_by("code"))
        self.region_levels[side] = []
        for level, _label in LEVELS:
            field = self.fields[f"{side}_{level}"]
            field.choices = [("", _("请选择")), *((r.code, r.name) for r in options[level])]
            field.regions = options[level]
            field.widget.attrs.update({"data-region-level": level, "data-region-side": side})

    def _region(self, side: str, side_label: str) -> Region | None:
        levels = self.fields
        chosen = None
        for level, _label in LEVELS:
            code = self.cleaned_data.get(f"{side}_{level}")
            if not code:
                break
            chosen = next(r for r in levels[f"{side}_{level}"].regions if r.code == code)
        if chosen is None:
            return None
        if chosen.level == 1 and levels[f"{side}_city"].regions:
            self.add_error(
                f"{side}_city",
                _("请选择%(side)s所在的市（地区、州）或区。") % {"side": side_label},
            )
            return None
        return chosen

    def clean(self):
        cleaned = super().clean()
        insurance, category = cleaned.get("insurance"), cleaned.get("category")
        if insurance and category and category not in categories_of(insurance):
            self.add_error(
                "category",
                _("“%(category)s”不适用于%(insurance)s，请重新选择转入类型。")
                % {
                    "category": category_label(insurance, category),
                    "insurance": Insurance(insurance).label,
                },
            )
        for side, label, _help in SIDES:
            cleaned[f"{side}_region"] = self._region(side, label)
        return cleaned

    def submission(self) -> dict:
        """The keyword arguments of ``application_submit`` (except person and actor)."""
        data = self.cleaned_data
        return {
            "insurance": data["insurance"],
            "category": data["category"],
            "from_regions": [
                region for region in (data["from_region"], data.get("from2_region")) if region
            ],
            "to_region": data["to_region"],
            "phone": data["phone"],
            "hukou_address": data["hukou_address"],
            "attachment": data.get("attachment") or None,
            "approved_transfer": bool(data.get("approved_transfer")),
        }

    def region_fieldsets(self) -> list[dict]:
        """For the template: one fieldset per side with its three bound fields."""
        return [
            {
                "side": side,
                "legend": label,
                "help": help_text,
                "required": self.fields[f"{side}_province"].required,
                "fields": [self[f"{side}_{level}"] for level, _label in LEVELS],
            }
            for side, label, help_text in SIDES
        ]


class CaseFilterForm(forms.Form):
    """The filters of 我的申请 and of its Excel export (GET)."""

    insurance = forms.ChoiceField(
        label=_("险种"), required=False, choices=[("", _("全部")), *Insurance.choices]
    )
    status = forms.ChoiceField(
        label=_("办理状态"), required=False, choices=[("", _("全部")), *CaseStatus.choices]
    )

    def filters(self) -> dict:
        """Valid filters only: an unknown value in the query string filters nothing."""
        self.is_valid()  # cleaned_data keeps only the fields that passed
        return {name: value for name, value in self.cleaned_data.items() if value}


# Back office: the buttons of the case page. Each form's cleaned data are the service's extra
# keyword arguments.
class NoInputForm(forms.Form):
    pass


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_plain_multiline_text],
        error_messages={"required": _("请填写原因，申请人将看到这段说明。")},
    )


class ReceiptForm(forms.Form):
    amount = forms.DecimalField(
        label=_("到账金额（元）"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.00"),
        error_messages={"required": _("请填写实际到账金额。")},
    )


class AcceptForm(forms.Form):
    approval_checked = forms.BooleanField(
        label=_("已核验调动批准材料（经批准调动的申请必须勾选）"), required=False
    )


# The form of each move's parameters (``workflow.Move.params``).
MOVE_FORMS = {
    (): NoInputForm,
    ("reason",): ReasonForm,
    ("amount",): ReceiptForm,
    ("approval_checked",): AcceptForm,
}


# Confirmation pages of the back office (``workflow.Move.confirm``): the standard reasons a
# clerk picks from, then words of their own; the person reads both.
REFUSAL_REASONS = {
    "reject": [
        ("materials", _("申请材料不全或不符合要求")),
        ("identity", _("参保人身份信息与转入地登记信息不一致")),
        ("conditions", _("不符合转入地参保或转入条件（户籍、就业或居住）")),
        ("duplicate", _("已有同一险种的转移接续申请在办理或已办结")),
        ("other", _("其他原因（请在下面说明）")),
    ],
    "return": [
        ("mismatch", _("联系函信息与转出地参保缴费记录不一致")),
        ("no_record", _("转出地没有该参保人的参保缴费记录")),
        ("still_paying", _("参保人在转出地仍在参保缴费，尚未中断")),
        ("arrears", _("存在欠费或重复缴费，须先清理")),
        ("other", _("其他原因（请在下面说明）")),
    ],
}


class RefusalForm(forms.Form):
    """A standard reason plus free text; ``cleaned_data["reason"]`` is what the person reads."""

    reason_code = forms.ChoiceField(
        label=_("原因"),
        error_messages={"required": _("请选择原因。"), "invalid_choice": _("请选择原因。")},
    )
    reason_detail = forms.CharField(
        label=_("补充说明（申请人可见）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, move: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].choices = [("", "—"), *REFUSAL_REASONS[move]]
        self.reasons = dict(REFUSAL_REASONS[move])

    def clean(self):
        data = super().clean()
        code, detail = data.get("reason_code"), (data.get("reason_detail") or "").strip()
        if code == "other" and not detail:
            self.add_error("reason_detail", _("选择“其他原因”时请填写说明。"))
        elif code:
            label = "" if code == "other" else str(self.reasons[code])
            data["reason"] = "；".join(part for part in (label, detail) if part)
        return data


class ConfirmReceiptForm(ReceiptForm):
    """The amount actually received, typed by the clerk (kept when it does not match)."""


def confirm_form(move: str, data=None):
    """The form of a move's confirmation page; its ``service_kwargs()`` go to the service."""
    params = MOVES[move].params
    if params == ("reason",):
        form = RefusalForm(data, move=move)
    elif params == ("amount",):
        form = ConfirmReceiptForm(data)
    elif params == ("approval_checked",):
        form = AcceptForm(data)
    else:
        form = NoInputForm(data)
    form.service_kwargs = lambda: {name: form.cleaned_data[name] for name in params}
    return form


class WalkInForm(forms.Form):
    """窗口受理: the transfer-in application a clerk enters for a person at the counter. The
    places are the person's own records: transfer-in at one held by the clerk's agency."""

    insurance = forms.ChoiceField(label=_("转移险种"), choices=Insurance.choices)
    category = forms.ChoiceField(label=_("转入类型"))
    from_region = forms.ChoiceField(label=_("转出地"))
    to_region = forms.ChoiceField(label=_("转入地"))
    phone = forms.CharField(label=_("联系电话"), max_length=20, validators=[validate_phone])
    hukou_address = forms.CharField(
        label=_("户籍地址"), max_length=200, validators=[validate_plain_text]
    )

    def __init__(self, *args, enrollments, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("请选择")), *category_choices()]

        def place(enrollment):
            return (
                enrollment.region_id,
                f"{enrollment.region.full_name()}（{enrollment.region_id}）",
            )

        held = [e for e in enrollments if agency is None or e.agency_id == agency.pk]
        others = [e for e in enrollments if e not in held]
        self.fields["to_region"].choices = sorted({place(e) for e in held})
        self.fields["from_region"].choices = sorted({place(e) for e in others})
