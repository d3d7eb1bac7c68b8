"""Public look-up API: regions and the agencies serving them. Anyone may read it, without an
account, so it runs no authentication at all."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency
from agencies.selectors import agencies_for_region, region_children
from agencies.serializers import (
    AgenciesQuerySerializer,
    AgencySerializer,
    RegionSerializer,
    RegionsQuerySerializer,
)
from core.schema import error

# With ``region`` the answer is a plain list, without it a page: say both in the schema.
_AGENCIES_RESPONSE = PolymorphicProxySerializer(
    component_name="AgencyListOrPage",
    serializers=[
        AgencySerializer(many=True),
        inline_serializer(
            "PaginatedAgencyList",
            fields={
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": AgencySerializer(many=True),
            },
        ),
    ],
    resource_type_field_name=None,
    many=False,
)


def _bad_code(field: str) -> OpenApiResponse:
    example = f'{{"{field}": ["行政区划代码应为6位数字。"]}}'
    return OpenApiResponse(description=f"行政区划代码不是6位数字或不存在：字段错误，如 {example}")


class RegionListView(APIView):
    """Children of a region; no ``parent``: the province-level regions. Never paginated: the
    longest list (a province's children) has a few hundred short rows at most."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="regions_list",
        summary="开通地区查询",
        parameters=[
            OpenApiParameter(
                "parent",
                str,
                description="上级行政区划代码（6位）；不填则列出省级地区",
                required=False,
            )
        ],
        responses={200: RegionSerializer(many=True), 400: _bad_code("parent")},
        tags=["regions"],
    )
    def get(self, request):
        query = RegionsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        regions = region_children(parent=query.validated_data.get("parent"))
        return Response(RegionSerializer(regions, many=True).data)


class AgencyListView(GenericAPIView):
    """With ``region``: the agencies serving it for pension and for medical, found at the
    region or its nearest ancestor (a plain list of at most two). Without: every agency, paged."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = AgencySerializer
    queryset = Agency.objects.order_by("region_id", "insurance", "id")

    @extend_schema(
        operation_id="agencies_list",
        summary="经办机构查询",
        parameters=[
            OpenApiParameter(
                "region",
                str,
                description=(
                    "行政区划代码（6位）：返回为该地区办理养老、医疗保险转移的经办机构"
                    "（本级没有时取最近的上级统筹区），为不分页的列表；"
                    "不填则分页列出全部经办机构（{count, next, previous, results}）"
                ),
                required=False,
            ),
            OpenApiParameter("page", int, description="页码（仅在不带 region 时）", required=False),
        ],
        responses={
            200: _AGENCIES_RESPONSE,
            400: _bad_code("region"),
            404: error(404, "No such page (`page` beyond the last one)."),
        },
        tags=["agencies"],
    )
    def get(self, request):
        query = AgenciesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        region = query.validated_data.get("region")
        if region is not None:
            return Response(AgencySerializer(agencies_for_region(region=region), many=True).data)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AgencySerializer(page, many=True).data)
