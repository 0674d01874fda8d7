from django.urls import path, re_path

from . import views

app_name = "finder"
urlpatterns = [
    path("finden/<uuid:tenant>/", views.start, name="start"),
    path("finden/<uuid:tenant>/<str:lang>/", views.finder, name="finder"),
    # Everything else under /finden/ answers 404 in the finder's own layout (no cookie).
    re_path(r"^finden/", views.not_found),
]
