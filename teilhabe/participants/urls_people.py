from django.urls import URLPattern

# Owned by the people area; see urls.py.
urlpatterns: list[URLPattern] = []
