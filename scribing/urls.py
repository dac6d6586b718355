from django.urls import path

from . import views

urlpatterns = [
    path("c/<str:code>/scribing/", views.scribing_page, name="scribing"),
    path("c/<str:code>/scribing/slots/<int:pk>/claim/", views.slot_claim, name="scribing_claim"),
    path("c/<str:code>/scribing/drop/", views.slot_drop, name="scribing_drop"),
    path("c/<str:code>/scribing/unavailable/", views.unavailable, name="scribing_unavailable"),
    path("c/<str:code>/scribing/submit/", views.submit_notes, name="scribing_submit"),
    path("c/<str:code>/scribing/lateness/", views.lateness_preview, name="scribing_lateness"),
    path("c/<str:code>/scribing/extension/", views.request_extension, name="scribing_extension"),
    path("c/<str:code>/scribing/template.tex", views.latex_template, name="scribing_template"),
    path(
        "c/<str:code>/scribing/notes/<int:pk>/<str:kind>/",
        views.notes_file,
        name="scribing_file",
    ),
]
