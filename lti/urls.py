from django.urls import path

from . import views

urlpatterns = [
    path("lti/login/", views.lti_login, name="lti_login"),
    path("lti/launch/", views.lti_launch, name="lti_launch"),
    path("lti/continue/", views.lti_continue, name="lti_continue"),
    path("lti/deep-link/", views.lti_deep_link, name="lti_deep_link"),
    path("lti/register/", views.lti_register, name="lti_register"),
    path("c/<str:code>/lms/", views.lms_link, name="lti_lms_link"),
    path("lti/jwks.json", views.lti_jwks, name="lti_jwks"),
]
