from django.urls import URLPattern

# Owned by the cases area; see urls.py.
urlpatterns: list[URLPattern] = []
