"""REST API of transfer cases (ARCHITECTURE.md "HTTP surface").

Views parse, authorize and call one service or selector. 400 bad input, 403 a role that may
not act, 404 what the caller may not see, 409 a move the current state does not allow (the
domain errors are mapped by ``core.api.exception_handler``)."""

from functools import partial

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.selectors import clerk_of
from core import otp
from core.errors import NotAllowed
from core.pagination import CappedCountPaginator, PartsPaginator
from core.schema import error
from insured.access_log import AccessKind, log_access
from transfers import representations, selectors, services, workflow
from transfers.models import TransferCase
from transfers.serializers import (
    AcceptSerializer,
    AmountSerializer,
    ApplicationSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    CollectionCreateSerializer,
    ReasonSerializer,
    StaffCaseListSerializer,
    TransferCreateSerializer,
)
from transfers.workflow import CLERK_MOVES, MOVES, QUEUES, CaseStatus


class CasePagination(PageNumberPagination):
    # An agency's list can hold hundreds of thousands of cases: the first pages count at most
    # 1,000, deeper pages 10,000; ``count_capped`` says the list holds more than ``count``.
    django_paginator_class = CappedCountPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.count_capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "true: the list holds more cases than count (counting stops there)",
        }
        schema["required"] = [*schema.get("required", []), "count_capped"]
        return schema


def _person(request):
    try:
        return request.user.insured_person
    except ObjectDoesNotExist:
        raise PermissionDenied(_("只有参保人可以使用此功能。")) from None


def _membership(request):
    clerk = clerk_of(request.user)
    if clerk is None:
        raise PermissionDenied(_("只有经办机构工作人员可以使用此功能。"))
    if not otp.request_is_verified(request):
        # Staff act only after the second factor: a verified session, or a token issued
        # after verify_staff_otp (core.otp.request_is_verified, the token hook).
        raise NotAllowed(
            _("经办机构工作人员须完成两步验证（动态验证码）后才能办理。"), code="otp_required"
        )
    return clerk


def _detail_response(
    request, case: TransferCase, *, status_code=status.HTTP_200_OK, for_agency=False
):
    """Re-read the case with everything its detail shows (bounded queries) and serialize it.
    The applicant's view (not ``for_agency``) shows the event log as their case page does."""
    case = selectors.with_detail(
        TransferCase.objects.filter(pk=case.pk).select_related(
            *selectors.LIST_RELATED, "attention_agency"
        )
    ).get()
    return _detail(request, case, status_code=status_code, for_agency=for_agency)


def _detail(request, case: TransferCase, *, status_code=status.HTTP_200_OK, for_agency=False):
    """Serialize a case loaded through ``selectors.with_detail``."""
    detail = selectors.case_detail(case)
    if not for_agency:
        detail["events"] = workflow.events_for_person(detail["events"])
    # CaseDetailSerializer is the schema; the plain function gives the same JSON without DRF's
    # per-field machinery (transfers.representations).
    data = representations.case_detail(
        case,
        detail=detail,
        allowed_moves=selectors.allowed_moves(case=case, user=request.user),
        for_agency=for_agency,
    )
    return Response(data, status=status_code)


class TransferListCreateView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = CasePagination  # the schema declares the page wrapper of the list

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=CaseStatus.values),
            OpenApiParameter("insurance", str, enum=["pension", "medical"]),
        ],
        responses=CaseListSerializer(many=True),
    )
    def get(self, request):
        person = _person(request)
        status_filter = request.query_params.get("status") or None
        if status_filter and status_filter not in CaseStatus.values:
            raise ValidationError({"status": [_("未知的办理状态。")]})
        insurance = request.query_params.get("insurance") or None
        if insurance and insurance not in ("pension", "medical"):
            raise ValidationError({"insurance": [_("险种只能是 pension 或 medical。")]})
        cases = selectors.cases_for_person(person=person, status=status_filter, insurance=insurance)
        paginator = CasePagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        # CaseListSerializer is the schema (transfers.representations: same JSON, less CPU).
        return paginator.get_paginated_response(
            [representations.case_list_item(case) for case in page]
        )

    @extend_schema(
        request=TransferCreateSerializer,
        responses={201: CaseDetailSerializer},
        description="With from_region: 201 with the case (CaseDetail). With from_regions: 201 "
        "with the application and its cases (Application), one case per transfer-out place.",
    )
    def post(self, request):
        person = _person(request)
        data = TransferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "from_regions" in values:
            application = services.application_submit(person=person, actor=request.user, **values)
            application = selectors.application_for_person(person=person, number=application.number)
            return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)
        case = services.transfer_submit(person=person, actor=request.user, **values)
        return _detail_response(
            request, case, status_code=status.HTTP_201_CREATED, for_agency=False
        )


class ApplicationDetailView(APIView):
    @extend_schema(responses=ApplicationSerializer)
    def get(self, request, number: str):
        application = selectors.application_for_person(person=_person(request), number=number)
        return Response(ApplicationSerializer(application).data)


class TransferDetailView(APIView):
    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, serial_no: str):
        case = selectors.case_with_detail_for_person(person=_person(request), serial_no=serial_no)
        return _detail(request, case, for_agency=False)


class TransferWithdrawView(APIView):
    @extend_schema(request=None, responses={200: CaseDetailSerializer, 409: error(409)})
    def post(self, request, serial_no: str):
        case = selectors.case_for_person(person=_person(request), serial_no=serial_no)
        case = services.transfer_withdraw(case=case, actor=request.user)
        return _detail_response(request, case, for_agency=False)


class AgencyTransferListView(APIView):
    pagination_class = CasePagination

    @extend_schema(
        parameters=[OpenApiParameter("queue", str, enum=list(QUEUES))],
        responses=StaffCaseListSerializer(many=True),
    )
    def get(self, request):
        membership = _membership(request)
        queue = request.query_params.get("queue") or ""
        if queue:
            if queue not in QUEUES:
                raise ValidationError(
                    {"queue": [_("队列只能是 %(queues)s。") % {"queues": ", ".join(QUEUES)}]}
                )
            cases = selectors.queue_for_agency(agency=membership.agency, queue=queue)
            paginator = CasePagination()
        else:
            cases = selectors.cases_for_agency(agency=membership.agency)
            # Transfer-in OR transfer-out party: paged part by part on their indexes.
            paginator = CasePagination()
            paginator.django_paginator_class = partial(
                PartsPaginator,
                parts=selectors.agency_parts(membership.agency_id),
                whole=selectors.cases_in_agency_list_order(),
            )
        page = paginator.paginate_queryset(cases, request, view=self)
        # StaffCaseListSerializer is the schema (transfers.representations: same JSON, less CPU).
        today = timezone.localdate()
        return paginator.get_paginated_response(
            [representations.staff_case_list_item(case, today=today) for case in page]
        )


class AgencyTransferDetailView(APIView):
    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, serial_no: str):
        clerk = _membership(request)
        case = selectors.case_for_staff(user=request.user, serial_no=serial_no)
        log_access(
            user=request.user,
            agency=clerk.agency,
            person=case.person,
            kind=AccessKind.CASE,
            reference=case.serial_no,
            reason=case.serial_no,
        )
        return _detail_response(request, case, for_agency=True)


class AgencyCollectionCreateView(APIView):
    """POST /api/v1/agency/collections/ {id_number, from_region}: the benefit place's reviewer
    collects (归集) the person's temporary account kept at ``from_region``'s agency."""

    @extend_schema(request=CollectionCreateSerializer, responses={201: CaseDetailSerializer})
    def post(self, request):
        _membership(request)
        body = CollectionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = selectors.person_by_id_number(id_number=body.validated_data["id_number"])
        region = selectors.region_or_none(code=body.validated_data["from_region"])
        accounts = (
            services.temporary_accounts_of(person=person, from_region=region)
            if person is not None and region is not None
            else []
        )
        if not accounts:
            raise ValidationError(
                {"from_region": [_("该参保人在该地区没有可归集的临时基本养老保险缴费账户。")]}
            )
        case = services.collection_start(
            person=person, from_enrollment=accounts[0], actor=request.user
        )
        return _detail_response(request, case, status_code=status.HTTP_201_CREATED, for_agency=True)


# The body each move's parameters come in (``workflow.Move.params``).
MOVE_BODIES = {
    (): None,
    ("reason",): ReasonSerializer,
    ("amount",): AmountSerializer,
    ("approval_checked",): AcceptSerializer,
}


class AgencyTransferActionView(APIView):
    """POST …/agency/transfers/<serial_no>/<api_name>/: one clerk move of ``workflow.MOVES``
    through its service, with the parameters the table names."""

    move = ""

    @extend_schema(request=None, responses={200: CaseDetailSerializer, 409: error(409)})
    def post(self, request, serial_no: str):
        _membership(request)
        case = selectors.case_for_staff(user=request.user, serial_no=serial_no)
        params = {}
        body_class = MOVE_BODIES[MOVES[self.move].params]
        if body_class is not None:
            body = body_class(data=request.data)
            body.is_valid(raise_exception=True)
            params = body.validated_data
        services.MOVE_SERVICES[self.move](case=case, actor=request.user, **params)
        return _detail_response(request, case, for_agency=True)


def _action_view(move: str) -> type[AgencyTransferActionView]:
    """One view class per move, so that the OpenAPI schema shows each one's body."""
    name = MOVES[move].api_name

    @extend_schema(
        request=MOVE_BODIES[MOVES[move].params],
        responses={200: CaseDetailSerializer, 409: error(409)},
        operation_id=f"agency_{name}",
    )
    def post(self, request, serial_no: str):
        return AgencyTransferActionView.post(self, request, serial_no)

    class_name = "Agency" + "".join(part.title() for part in name.split("-")) + "View"
    return type(class_name, (AgencyTransferActionView,), {"move": move, "post": post})


# URL segment → view, one per clerk move of the table.
ACTION_VIEWS = {MOVES[move].api_name: _action_view(move) for move in CLERK_MOVES}
