from django.urls import path

from agencies import api

urlpatterns = [
    path("regions/", api.RegionListView.as_view(), name="api-regions"),
    path("agencies/", api.AgencyListView.as_view(), name="api-agencies"),
]
