from django.urls import path

from . import views

urlpatterns = [
    path("c/<str:code>/presentations/", views.presentations, name="projects_presentations"),
    path("c/<str:code>/presentations/propose/", views.propose, name="projects_propose"),
    path("c/<str:code>/presentations/slides/", views.slides_upload, name="projects_slides_upload"),
    path(
        "c/<str:code>/presentations/slides/<int:pk>/",
        views.slides_file,
        name="projects_slides_file",
    ),
    path("c/<str:code>/project/", views.team, name="projects_team"),
    path("c/<str:code>/project/choice/", views.team_choice, name="projects_team_choice"),
    path(
        "c/<str:code>/project/milestones/<int:pk>/submit/",
        views.milestone_submit,
        name="projects_milestone_submit",
    ),
    path(
        "c/<str:code>/project/submissions/<int:pk>/",
        views.submission_file,
        name="projects_submission_file",
    ),
    path("c/<str:code>/groups/<str:kind>/invite/", views.invite, name="projects_invite"),
    path("c/<str:code>/groups/<str:kind>/leave/", views.group_leave, name="projects_group_leave"),
    path(
        "c/<str:code>/groups/invitations/<int:pk>/",
        views.invitation_answer,
        name="projects_invitation_answer",
    ),
    path("c/<str:code>/talks/slots/<int:pk>/pick/", views.slot_pick, name="projects_slot_pick"),
]
