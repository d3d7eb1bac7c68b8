"""API serializers of the registry. Input serializers only parse; ``services`` decides."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.schema import MonthField
from insured.models import ContributorType
from insured.retirement import BASIS, UNKNOWN_CATEGORY


class RegisterSerializer(serializers.Serializer):
    id_number = serializers.CharField(label=_("公民身份号码"), max_length=18)
    name = serializers.CharField(label=_("姓名"), max_length=50)


class RegisterStartedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    phone_masked = serializers.CharField(
        allow_null=True, help_text="信息匹配时为接收验证码的手机号码（部分隐藏），否则为null"
    )


class CodePasswordSerializer(serializers.Serializer):
    id_number = serializers.CharField(label=_("公民身份号码"), max_length=18)
    code = serializers.CharField(label=_("短信验证码"), max_length=6)
    password = serializers.CharField(label=_("密码"), max_length=128, trim_whitespace=False)


class RegisteredSerializer(serializers.Serializer):
    username = serializers.CharField()
    token = serializers.CharField()
    expires = serializers.DateTimeField()


class PasswordResetSerializer(serializers.Serializer):
    id_number = serializers.CharField(label=_("公民身份号码"), max_length=18)


class MessageSerializer(serializers.Serializer):
    detail = serializers.CharField()


class YearSerializer(serializers.Serializer):
    """One contribution period (several per calendar year where the base or a rate changed)."""

    year = serializers.IntegerField(source="year.year")
    months = serializers.IntegerField(source="year.months_paid")
    first_month = serializers.IntegerField(source="year.first_month")
    last_month = serializers.IntegerField(source="year.last_month")
    monthly_base = serializers.DecimalField(
        source="year.monthly_base", max_digits=12, decimal_places=2
    )
    personal_account_credit = serializers.DecimalField(
        source="year.personal_account_credit", max_digits=12, decimal_places=2
    )
    employer_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="单位缴费比例，如 0.1600"
    )
    personal_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="个人缴费比例，如 0.0800"
    )
    interest = serializers.DecimalField(source="year.interest", max_digits=12, decimal_places=2)
    contributor_type = serializers.ChoiceField(
        source="year.contributor_type",
        choices=ContributorType.choices,
        help_text="参保身份：employer 单位职工，flexible 个人身份参保（灵活就业）",
    )
    contributor_type_display = serializers.CharField(source="year.get_contributor_type_display")
    balance = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="至本年末账户累计储存额"
    )


class TransferredInSerializer(serializers.Serializer):
    serial_no = serializers.CharField(source="reference")
    from_region = serializers.CharField(source="from_region_id")
    from_region_name = serializers.CharField(source="from_region.full_name")
    transfer_date = serializers.DateField(allow_null=True)
    months = serializers.IntegerField()
    personal_account = serializers.DecimalField(max_digits=14, decimal_places=2)
    pooled_fund = serializers.DecimalField(max_digits=14, decimal_places=2)


class TransferredOutSerializer(serializers.Serializer):
    serial_no = serializers.CharField(source="reference")
    to_region = serializers.CharField(source="to_enrollment.region_id")
    to_region_name = serializers.CharField(source="to_enrollment.region.full_name")
    transfer_date = serializers.DateField(allow_null=True)
    months = serializers.IntegerField()
    personal_account = serializers.DecimalField(max_digits=14, decimal_places=2)
    pooled_fund = serializers.DecimalField(max_digits=14, decimal_places=2)


class InTransitSerializer(TransferredOutSerializer):
    case_url = serializers.SerializerMethodField()

    def get_case_url(self, movement) -> str:
        return f"/api/v1/transfers/{movement.reference}/"


class TotalSerializer(serializers.Serializer):
    insurance = serializers.CharField()
    months = serializers.IntegerField(help_text="各地合计（含转移途中）")
    personal_account = serializers.DecimalField(max_digits=14, decimal_places=2)
    in_transit_months = serializers.IntegerField()
    in_transit_personal_account = serializers.DecimalField(max_digits=14, decimal_places=2)


class ResidentYearSerializer(serializers.Serializer):
    """One year of the urban-rural resident pension (城乡居民基本养老保险)."""

    year = serializers.IntegerField()
    first_month = serializers.IntegerField()
    last_month = serializers.IntegerField()
    months = serializers.IntegerField()
    grade = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="缴费档次（元/年）")
    personal_contribution = serializers.DecimalField(max_digits=10, decimal_places=2)
    government_subsidy = serializers.DecimalField(max_digits=10, decimal_places=2)
    collective_subsidy = serializers.DecimalField(max_digits=10, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class ResidentSerializer(serializers.Serializer):
    years = ResidentYearSerializer(many=True)
    account = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="历年缴费、政府补贴和集体补助之和"
    )


class OverlapRefundSerializer(serializers.Serializer):
    """人社部发〔2014〕17号 art. 8: the resident personal contributions and collective subsidies
    of the months also paid to the employee pension, refunded to the person."""

    serial_no = serializers.CharField(source="reference")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    months = serializers.IntegerField()
    first_month = MonthField(allow_null=True)
    last_month = MonthField(allow_null=True)


class EnrollmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="enrollment.id")
    insurance = serializers.CharField(source="enrollment.insurance")
    insurance_display = serializers.CharField(source="enrollment.get_insurance_display")
    region = serializers.CharField(source="enrollment.region_id")
    region_name = serializers.CharField(source="enrollment.region.full_name")
    agency = serializers.CharField(source="enrollment.agency.name")
    agency_id = serializers.IntegerField(source="enrollment.agency_id")
    account_kind = serializers.CharField(source="enrollment.account_kind")
    start = MonthField(source="enrollment.start_month")
    end = MonthField(source="enrollment.end_month", allow_null=True)
    status = serializers.CharField(source="enrollment.status")
    status_display = serializers.CharField(source="enrollment.get_status_display")
    drawing_benefits = serializers.BooleanField(source="enrollment.drawing_benefits")
    months = serializers.IntegerField(help_text="本地现有缴费月数（已转出为 0）")
    months_paid_here = serializers.IntegerField(help_text="在本地实际缴费月数")
    deemed_months = serializers.IntegerField(source="enrollment.deemed_months")
    personal_account_balance = serializers.DecimalField(
        source="balance", max_digits=14, decimal_places=2
    )
    years = YearSerializer(many=True)
    transferred_in = TransferredInSerializer(many=True)
    transferred_out = TransferredOutSerializer(many=True)
    in_transit = InTransitSerializer(many=True)
    resident = ResidentSerializer(
        allow_null=True, help_text="城乡居民基本养老保险：历年缴费和个人账户（其他险种为null）"
    )
    refunds = OverlapRefundSerializer(many=True, help_text="制度衔接退还本人的重复缴费")


class BenefitPlaceSerializer(serializers.Serializer):
    region = serializers.CharField(source="region_code")
    name = serializers.CharField(source="region_name")
    rule = serializers.ChoiceField(choices=["a", "b", "c", "d"])
    explanation = serializers.CharField()


class RetirementSerializer(serializers.Serializer):
    years = serializers.IntegerField(help_text="法定退休年龄：岁")
    months = serializers.IntegerField(help_text="法定退休年龄：另加月数")
    reached = MonthField(help_text="达到法定退休年龄的月份（对照表中的改革后退休时间）")
    minimum_contribution_months = serializers.IntegerField(
        help_text="按月领取基本养老金最低缴费月数（2029年前180，2030年起每年加6，最多240）"
    )
    text = serializers.CharField(source="display")
    basis = serializers.SerializerMethodField()

    def get_basis(self, age) -> str:
        return str(BASIS)


class MeSerializer(serializers.Serializer):
    name = serializers.CharField(source="person.name")
    id_number_masked = serializers.CharField(source="person.id_number_masked")
    enrollments = EnrollmentSerializer(many=True)
    total_months = serializers.DictField(
        child=serializers.IntegerField(), help_text="累计缴费月数，按险种"
    )
    totals = TotalSerializer(many=True, help_text="按险种：各地合计的缴费月数和个人账户")
    benefit_place = BenefitPlaceSerializer(allow_null=True, help_text="基本养老保险待遇领取地")
    retirement = RetirementSerializer(
        allow_null=True,
        help_text="法定退休年龄（2024年渐进式延迟法定退休年龄决定）；女职工未记录原法定退休年龄时为null",
    )
    retirement_note = serializers.SerializerMethodField(
        help_text="retirement为null时的说明，否则为null"
    )

    def get_retirement_note(self, records) -> str | None:
        return None if records.retirement else str(UNKNOWN_CATEGORY)
