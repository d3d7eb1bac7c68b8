"""GET /api/v1/me/notifications/ (the in-app message list) and marking one as read."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    # In the reader's language (Accept-Language or their choice), whenever they read it.
    title = serializers.CharField(source="title_for_reader")
    body = serializers.CharField(source="body_for_reader")

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "created_at", "read_at"]


class NotificationPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class NotificationListView(APIView):
    pagination_class = NotificationPagination

    @extend_schema(responses=NotificationSerializer(many=True))
    def get(self, request):
        notifications = Notification.objects.filter(user=request.user).order_by(
            "-created_at", "-id"
        )
        if request.query_params.get("unread") in ("1", "true"):
            notifications = notifications.filter(read_at__isnull=True)
        paginator = NotificationPagination()
        page = paginator.paginate_queryset(notifications, request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationReadView(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, pk: int):
        # Another user's message is simply not found.
        notification = get_object_or_404(Notification, pk=pk, user=request.user)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(NotificationSerializer(notification).data)


urlpatterns = [
    path("me/notifications/", NotificationListView.as_view(), name="api-notification-list"),
    path(
        "me/notifications/<int:pk>/read/",
        NotificationReadView.as_view(),
        name="api-notification-read",
    ),
]
