"""Shapes of the transfer API: input parsing and output only, no rules (those are services)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Insurance
from core.validators import validate_phone, validate_plain_multiline_text, validate_plain_text
from transfers.models import Category, TransferCase
from transfers.workflow import MOVES, Actor, is_overdue, move_label

# What the applicant reads while a step of their case waits for a clerk after a failure.
PERSON_ATTENTION_MESSAGE = _("正在处理，如有延误经办机构会联系您。")


class TransferCreateSerializer(serializers.Serializer):
    """``from_region`` (one place, answered with the case) or ``from_regions`` (one or more
    places, answered with the application and its cases), not both."""

    insurance = serializers.ChoiceField(choices=Insurance.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    from_region = serializers.RegexField(r"^\d{6}$", max_length=6, required=False)
    from_regions = serializers.ListField(
        child=serializers.RegexField(r"^\d{6}$", max_length=6),
        required=False,
        min_length=1,
        max_length=10,
        help_text="several transfer-out places: one case each under one application",
    )
    to_region = serializers.RegexField(r"^\d{6}$", max_length=6)
    phone = serializers.CharField(max_length=20, validators=[validate_phone])
    hukou_address = serializers.CharField(max_length=200, validators=[validate_plain_text])
    attachment = serializers.FileField(required=False, allow_null=True)
    approved_transfer = serializers.BooleanField(
        required=False,
        default=False,
        help_text="a transfer approved by a personnel department (调动): attach the approval",
    )

    def validate(self, data):
        if ("from_region" in data) == ("from_regions" in data):
            raise serializers.ValidationError(
                {
                    "from_region": [
                        _("请填写转出地：from_region（一个）或 from_regions（多个），二选一。")
                    ]
                }
            )
        return data


class CollectionCreateSerializer(serializers.Serializer):
    """归集: the person (ID number) and the region whose agency keeps the temporary account."""

    id_number = serializers.CharField(max_length=18)
    from_region = serializers.RegexField(r"^\d{6}$", max_length=6)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, validators=[validate_plain_multiline_text])


class AcceptSerializer(serializers.Serializer):
    approval_checked = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: the reviewer checked the transfer approval (required for 调动 cases)",
    )


class AmountSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class StageSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    status = serializers.ChoiceField(choices=["pending", "running", "done", "overdue", "ended"])
    started_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    due_date_estimated = serializers.BooleanField(
        help_text="true: counted with a day no official holiday schedule knows yet (预计)"
    )
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
        return move_label(event.action)

    def get_actor(self, event) -> str:
        """The role that acted (never a clerk's name: the person reads this)."""
        move = MOVES.get(event.action)
        return str(Actor(move.who).label if move else Actor.SYSTEM.label)

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


class CaseRefundSerializer(serializers.Serializer):
    """城乡制度衔接 (人社部发〔2014〕17号 art. 8): refunded to the person for the overlap months."""

    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    months = serializers.IntegerField()
    recorded = serializers.SerializerMethodField(help_text="true once the case is completed")

    def get_recorded(self, refund) -> bool:
        return refund.recorded_at is not None


class RemittanceSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    approved_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    # Empty until the bank has paid: the case is "remitting" until then.
    bank_reference = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)


class AttentionSerializer(serializers.Serializer):
    """An automatic step failed for good. The agencies see why; the person only that it is
    being handled (never an error trace)."""

    since = serializers.DateTimeField()
    message = serializers.CharField()
    agency = serializers.CharField(allow_null=True, required=False)
    reason = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    url = serializers.CharField()


class CaseListSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.number")
    insurance_display = serializers.CharField(source="get_insurance_display")
    category_display = serializers.CharField(source="get_category_display")
    status_display = serializers.CharField(source="get_status_display")
    from_region = serializers.CharField(source="from_region_id")
    to_region = serializers.CharField(source="to_region_id")
    from_region_name = serializers.CharField()
    to_region_name = serializers.CharField()
    from_agency = serializers.CharField(source="transfer_out_agency_name")
    to_agency = serializers.CharField(source="transfer_in_agency_name")

    class Meta:
        model = TransferCase
        fields = [
            "serial_no",
            "application",
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
    attention_reason = serializers.CharField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "person_name",
            "id_number_masked",
            "overlapping_months",
            "overdue",
            "attention_since",
            "attention_reason",
        ]

    def get_overdue(self, case) -> bool:
        return is_overdue(case, self.context["today"])


class CaseDetailSerializer(CaseListSerializer):
    """One case with its stages, events, funds and documents; built from
    ``transfers.selectors.case_detail`` passed as ``context["detail"]``."""

    end_reason = serializers.CharField()
    stages = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    funds = serializers.SerializerMethodField()
    refund = serializers.SerializerMethodField()
    remittance = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    service_target_due = serializers.SerializerMethodField()
    service_target_estimated = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField()
    attention = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "attention",
            "end_reason",
            "contact_phone",
            "hukou_address",
            "overlapping_months",
            "approved_transfer",
            "service_target_due",
            "service_target_estimated",
            "stages",
            "events",
            "funds",
            "refund",
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

    @extend_schema_field(CaseRefundSerializer(allow_null=True))
    def get_refund(self, case) -> dict | None:
        refund = self._detail().get("refund")
        return CaseRefundSerializer(refund).data if refund is not None else None

    def get_remittance(self, case) -> dict | None:
        remittance = self._detail()["remittance"]
        return RemittanceSerializer(remittance).data if remittance is not None else None

    def get_documents(self, case) -> list[dict]:
        return DocumentSerializer(self._detail()["documents"], many=True).data

    def get_service_target_due(self, case) -> str:
        return self._detail()["service_target_due"].isoformat()

    def get_service_target_estimated(self, case) -> bool:
        return self._detail()["service_target_estimated"]

    def get_allowed_moves(self, case) -> list[str]:
        return self.context.get("allowed_moves", [])

    @extend_schema_field(AttentionSerializer(allow_null=True))
    def get_attention(self, case) -> dict | None:
        if case.attention_since is None:
            return None
        if not self.context.get("for_agency"):
            # In the portal's time zone, as every other time of the API (and the agency's).
            return {
                "since": serializers.DateTimeField().to_representation(case.attention_since),
                "message": str(PERSON_ATTENTION_MESSAGE),
            }
        agency = case.attention_agency
        return AttentionSerializer(
            {
                "since": case.attention_since,
                "message": str(PERSON_ATTENTION_MESSAGE),
                "agency": agency.name if agency else None,
                "reason": case.attention_reason,
                "detail": case.attention_detail,
            }
        ).data


class ApplicationSerializer(serializers.Serializer):
    """One application with its cases, one per transfer-out place."""

    number = serializers.CharField()
    insurance = serializers.CharField()
    insurance_display = serializers.CharField(source="get_insurance_display")
    is_open = serializers.BooleanField()
    submitted_at = serializers.DateTimeField()
    cases = CaseListSerializer(many=True, source="case_list")
