from django.urls import path

from . import api

urlpatterns = [
    path("courses/<str:code>/scribing/slots/", api.SlotListAPI.as_view(), name="api_scribe_slots"),
    path(
        "courses/<str:code>/scribing/slots/<int:pk>/claim/",
        api.SlotClaimAPI.as_view(),
        name="api_scribe_claim",
    ),
    path(
        "courses/<str:code>/scribing/my-assignment/",
        api.MyAssignmentAPI.as_view(),
        name="api_scribe_mine",
    ),
]
