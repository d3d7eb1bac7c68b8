"""Shapes of the transfer API: input parsing and output only, no rules (those are services)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Insurance
from core.validators import validate_phone, validate_plain_multiline_text, validate_plain_text
from transfers.models import Category, TransferCase
from transfers.workflow import MOVES, Actor

EVENT_LABELS = {
    "submit": _("提交申请"),
    "issue_certificate": _("出具参保缴费凭证"),
    "receipt_mismatch": _("到账金额不符"),
    "overdue": _("超过办理时限"),
}


class TransferCreateSerializer(serializers.Serializer):
    insurance = serializers.ChoiceField(choices=Insurance.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    from_region = serializers.RegexField(r"^\d{6}$", max_length=6)
    to_region = serializers.RegexField(r"^\d{6}$", max_length=6)
    phone = serializers.CharField(max_length=20, validators=[validate_phone])
    hukou_address = serializers.CharField(max_length=200, validators=[validate_plain_text])
    attachment = serializers.FileField(required=False, allow_null=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, validators=[validate_plain_multiline_text])


class AmountSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class StageSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    status = serializers.ChoiceField(choices=["pending", "running", "done", "overdue"])
    started_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class EventSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.SerializerMethodField()
    agency = serializers.SerializerMethodField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_label(self, event) -> str:
        move = MOVES.get(event.action)
        return str(move.label if move else EVENT_LABELS.get(event.action, event.action))

    def get_actor(self, event) -> str:
        """The role that acted (never a clerk's name: the person reads this)."""
        move = MOVES.get(event.action)
        if move is not None:
            return str(Actor(move.who).label)
        if event.action == "submit":
            return str(Actor.APPLICANT.label)
        if event.action == "receipt_mismatch":
            return str(Actor.TRANSFER_IN_FINANCE.label)
        return str(Actor.SYSTEM.label)

    def get_agency(self, event) -> str | None:
        return event.agency.name if event.agency_id else None


class FundsSerializer(serializers.Serializer):
    months = serializers.IntegerField()
    before_1998 = serializers.DecimalField(max_digits=14, decimal_places=2)
    since_1998_to_last_year = serializers.DecimalField(max_digits=14, decimal_places=2)
    transfer_year_principal = serializers.DecimalField(max_digits=14, decimal_places=2)
    personal_account = serializers.DecimalField(max_digits=14, decimal_places=2)
    pooled_fund = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class RemittanceSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    approved_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    bank_reference = serializers.CharField()


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    url = serializers.CharField()


class CaseListSerializer(serializers.ModelSerializer):
    insurance_display = serializers.CharField(source="get_insurance_display")
    category_display = serializers.CharField(source="get_category_display")
    status_display = serializers.CharField(source="get_status_display")
    from_region = serializers.CharField(source="from_region_id")
    to_region = serializers.CharField(source="to_region_id")
    from_region_name = serializers.CharField(source="from_region.full_name")
    to_region_name = serializers.CharField(source="to_region.full_name")
    from_agency = serializers.CharField(source="transfer_out_agency.name")
    to_agency = serializers.CharField(source="transfer_in_agency.name")

    class Meta:
        model = TransferCase
        fields = [
            "serial_no",
            "insurance",
            "insurance_display",
            "category",
            "category_display",
            "status",
            "status_display",
            "from_region",
            "from_region_name",
            "to_region",
            "to_region_name",
            "from_agency",
            "to_agency",
            "submitted_at",
            "current_due_date",
            "completed_at",
        ]


class StaffCaseListSerializer(CaseListSerializer):
    person_name = serializers.CharField(source="person.name")
    id_number_masked = serializers.CharField(source="person.id_number_masked")
    overdue = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "person_name",
            "id_number_masked",
            "overlapping_months",
            "overdue",
        ]

    def get_overdue(self, case) -> bool:
        today = self.context.get("today")
        return bool(case.current_due_date and today and case.current_due_date < today)


class CaseDetailSerializer(CaseListSerializer):
    """One case with its stages, events, funds and documents; built from
    ``transfers.selectors.case_detail`` passed as ``context["detail"]``."""

    end_reason = serializers.CharField()
    stages = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    funds = serializers.SerializerMethodField()
    remittance = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    service_target_due = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "end_reason",
            "contact_phone",
            "hukou_address",
            "overlapping_months",
            "service_target_due",
            "stages",
            "events",
            "funds",
            "remittance",
            "documents",
            "allowed_moves",
        ]

    def _detail(self) -> dict:
        return self.context["detail"]

    def get_stages(self, case) -> list[dict]:
        return StageSerializer(self._detail()["stages"], many=True).data

    def get_events(self, case) -> list[dict]:
        return EventSerializer(self._detail()["events"], many=True).data

    def get_funds(self, case) -> dict | None:
        funds = self._detail()["funds"]
        return FundsSerializer(funds).data if funds is not None else None

    def get_remittance(self, case) -> dict | None:
        remittance = self._detail()["remittance"]
        return RemittanceSerializer(remittance).data if remittance is not None else None

    def get_documents(self, case) -> list[dict]:
        return DocumentSerializer(self._detail()["documents"], many=True).data

    def get_service_target_due(self, case) -> str:
        return self._detail()["service_target_due"].isoformat()

    def get_allowed_moves(self, case) -> list[str]:
        return self.context.get("allowed_moves", [])
