from django.urls import URLPattern

# Owned by the referrals area; see urls.py.
urlpatterns: list[URLPattern] = []
