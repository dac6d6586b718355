from django.urls import path

from . import views

urlpatterns = [
    path("c/<str:code>/grades/", views.my_grades, name="my_grades"),
]
