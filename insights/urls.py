from django.urls import path

from insights import views

urlpatterns = [
    path("insights/", views.insights_page, name="insights"),
    path("insights/preferences/", views.preferences, name="insights_preferences"),
]
