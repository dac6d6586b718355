from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from course.views import logout_then_home

# The answer save is the busiest address while a class takes a quiz: it is tried first.
api_patterns: list[URLPattern | URLResolver] = [
    path("", include("quizzes.api_urls")),
    path("", include("course.api_urls")),
    path("", include("scribing.api_urls")),
    path("", include("projects.api_urls")),
    path("", include("grading.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", logout_then_home, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("quizzes.urls")),
    path("", include("scribing.urls")),
    path("", include("projects.urls")),
    path("", include("grading.urls")),
    path("", include("lti.urls")),
    path("", include("course.urls")),
]

admin.site.site_header = "Coursekit"
admin.site.site_title = "Coursekit"
