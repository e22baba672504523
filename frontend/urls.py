from __future__ import annotations

from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.home, name="home"),
    path("m/<str:username>/", views.member, name="member"),
    path("me/", views.me, name="me"),
    path("settings/", views.settings_profile, name="settings"),
    path("settings/skills/", views.settings_skills, name="settings_skills"),
    path("settings/skills/add/", views.skill_add, name="skill_add"),
    path("settings/skills/reorder/", views.skill_reorder, name="skill_reorder"),
    path("settings/skills/<int:member_skill_id>/remove/", views.skill_remove, name="skill_remove"),
    path("settings/skills/<int:member_skill_id>/move/", views.skill_move, name="skill_move"),
    path("settings/skills/<int:member_skill_id>/endorsements/", views.skill_endorsements, name="skill_endorsements"),
    path("settings/blocked/", views.settings_blocks, name="settings_blocks"),
    path("settings/blocked/add/", views.block, name="block"),
    path("settings/blocked/remove/", views.unblock, name="unblock"),
    path("requests/", views.requests_page, name="requests"),
    path("notifications/", views.notifications_page, name="notifications"),
]
