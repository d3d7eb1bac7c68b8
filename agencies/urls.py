from django.urls import path

from agencies import views

urlpatterns = [
    path("regions/", views.region_lookup, name="region-lookup"),
    path("agencies/", views.agency_lookup, name="agency-lookup"),
]
