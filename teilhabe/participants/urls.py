"""Case-work URLs, composed from the areas (each area keeps its own module)."""

from . import urls_cases, urls_people, urls_referrals

app_name = "participants"
urlpatterns = [*urls_people.urlpatterns, *urls_cases.urlpatterns, *urls_referrals.urlpatterns]
