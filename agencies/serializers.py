"""Shapes of the public look-up API. Query parameters are validated here too; the rules behind
them (what a valid and known region code is) live in ``agencies.selectors``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import Agency, Region
from agencies.selectors import region_get
from core.errors import DomainError


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "online_transfer_enabled"]


class AgencySerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "name", "region", "insurance", "address", "phone", "postal_code"]


class _RegionCodeField(serializers.CharField):
    """A GB/T 2260 code that exists in the tree; becomes the Region. Empty means not given."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("help_text", _("6位行政区划代码（GB/T 2260）"))
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        # CharField answers a blank value before to_internal_value runs: make it None too.
        return super().run_validation(data) or None

    def to_internal_value(self, data):
        code = super().to_internal_value(data)
        if not code:
            return None
        try:
            return region_get(code=code)
        except DomainError as exc:
            raise serializers.ValidationError(str(exc.message), code=exc.code) from None


class RegionsQuerySerializer(serializers.Serializer):
    parent = _RegionCodeField()


class AgenciesQuerySerializer(serializers.Serializer):
    region = _RegionCodeField()
