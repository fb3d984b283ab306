from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
]
