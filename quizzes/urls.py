from django.urls import path

from . import views

urlpatterns = [
    path("c/<str:code>/quizzes/", views.quiz_list, name="quiz_list"),
    path("c/<str:code>/quizzes/<int:pk>/", views.quiz_detail, name="quiz_detail"),
    path("c/<str:code>/quizzes/<int:pk>/start/", views.quiz_start, name="quiz_start"),
    path("c/<str:code>/quizzes/<int:pk>/take/", views.quiz_take, name="quiz_take"),
    path("c/<str:code>/quizzes/<int:pk>/submit/", views.quiz_submit, name="quiz_submit"),
    path("c/<str:code>/quizzes/<int:pk>/result/", views.quiz_result, name="quiz_result"),
    path(
        "c/<str:code>/quizzes/<int:pk>/regrade/",
        views.quiz_regrade_request,
        name="quiz_regrade_request",
    ),
    path("c/<str:code>/quizzes/<int:pk>/code/", views.quiz_access_code, name="quiz_access_code"),
]
