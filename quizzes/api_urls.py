from django.urls import path

from . import api

urlpatterns = [
    # First: the busiest address while a class takes a quiz.
    path(
        "courses/<str:code>/quizzes/<int:pk>/answers/<int:question_id>/",
        api.AnswerAPI.as_view(),
        name="api_quiz_answer",
    ),
    path("courses/<str:code>/quizzes/", api.QuizListAPI.as_view(), name="api_quizzes"),
    path("courses/<str:code>/quizzes/<int:pk>/", api.QuizDetailAPI.as_view(), name="api_quiz"),
    path(
        "courses/<str:code>/quizzes/<int:pk>/attempt/",
        api.AttemptAPI.as_view(),
        name="api_quiz_attempt",
    ),
    path(
        "courses/<str:code>/quizzes/<int:pk>/submit/",
        api.SubmitAPI.as_view(),
        name="api_quiz_submit",
    ),
    path(
        "courses/<str:code>/quizzes/<int:pk>/result/",
        api.ResultAPI.as_view(),
        name="api_quiz_result",
    ),
]
