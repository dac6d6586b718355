from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from course.accounts.views import SignInView
from course.views import logout_then_home

# The answer save is the busiest address while a class takes a quiz: it is tried first.
api_patterns: list[URLPattern | URLResolver] = [
    path("", include("quizzes.api_urls")),
    path("", include("course.api_urls")),
    path("", include("scribing.api_urls")),
    path("", include("grading.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Served whole by the app with no inline script, as the CSP wants (templates/api/). No
    # ReDoc: its bundle injects inline styles, which the CSP refuses.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api_schema", template_name="api/swagger_ui.html"
        ),
        name="api_docs",
    ),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", logout_then_home, name="logout"),
    path("accounts/", include("course.accounts.urls")),
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

# Under /api/ these answer the API's JSON error body; a database outage answers 503 (see there).
handler400 = "course.errors.bad_request"
handler403 = "course.errors.permission_denied"
handler404 = "course.errors.page_not_found"
handler500 = "course.errors.server_error"
