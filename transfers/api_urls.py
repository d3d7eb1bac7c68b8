from django.urls import path

from transfers import api

urlpatterns = [
    path("transfers/", api.TransferListCreateView.as_view(), name="api-transfer-list"),
    path(
        "transfers/applications/<str:number>/",
        api.ApplicationDetailView.as_view(),
        name="api-transfer-application",
    ),
    path(
        "transfers/<str:serial_no>/",
        api.TransferDetailView.as_view(),
        name="api-transfer-detail",
    ),
    path(
        "transfers/<str:serial_no>/withdraw/",
        api.TransferWithdrawView.as_view(),
        name="api-transfer-withdraw",
    ),
    path(
        "agency/collections/",
        api.AgencyCollectionCreateView.as_view(),
        name="api-agency-collection-create",
    ),
    path(
        "agency/transfers/",
        api.AgencyTransferListView.as_view(),
        name="api-agency-transfer-list",
    ),
    path(
        "agency/transfers/<str:serial_no>/",
        api.AgencyTransferDetailView.as_view(),
        name="api-agency-transfer-detail",
    ),
    *[
        path(
            f"agency/transfers/<str:serial_no>/{action}/",
            view.as_view(),
            name=f"api-agency-transfer-{action}",
        )
        for action, view in api.ACTION_VIEWS.items()
    ],
]
