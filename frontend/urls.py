from __future__ import annotations

from django.urls import path

from frontend import sharing, views

urlpatterns = [
    path("", views.home, name="home"),
    path("m/<str:username>/", views.member, name="member"),
    path("m/<str:username>/endorse/", views.endorse, name="endorse"),
    path("m/<str:username>/card.png", sharing.card_png, name="member_card"),
    path("m/<str:username>/embed", sharing.embed, name="member_embed"),
    path("me/", views.me, name="me"),
    path("endorsements/<int:endorsement_id>/withdraw/", views.withdraw, name="withdraw"),
    path("endorsements/<int:endorsement_id>/hidden/", views.set_hidden, name="set_hidden"),
    path("settings/", views.settings_profile, name="settings"),
    path("settings/skills/", views.settings_skills, name="settings_skills"),
    path("settings/skills/add/", views.skill_add, name="skill_add"),
    path("settings/skills/reorder/", views.skill_reorder, name="skill_reorder"),
    path("settings/skills/<int:member_skill_id>/remove/", views.skill_remove, name="skill_remove"),
    path("settings/skills/<int:member_skill_id>/move/", views.skill_move, name="skill_move"),
    path("settings/skills/<int:member_skill_id>/endorsements/", views.skill_endorsements, name="skill_endorsements"),
    path("settings/endorsements/", views.settings_endorsements, name="settings_endorsements"),
    path("settings/blocked/", views.settings_blocks, name="settings_blocks"),
    path("settings/blocked/add/", views.block, name="block"),
    path("settings/blocked/remove/", views.unblock, name="unblock"),
    path("settings/notifications/", views.settings_notifications, name="settings_notifications"),
    path("settings/data/", views.settings_data, name="settings_data"),
    path("settings/export.json", views.export_data, name="export_data"),
    path("settings/delete/", views.delete_account, name="delete_account"),
    path("requests/", views.requests_page, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:request_id>/respond/", views.request_respond, name="request_respond"),
    path("requests/<int:request_id>/cancel/", views.request_cancel, name="request_cancel"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("badges/", views.badges_page, name="badges"),
    path("badges/import/", views.badge_import, name="badge_import"),
    path("badges/<int:badge_id>/skill/", views.badge_attach, name="badge_attach"),
    path("badges/<int:badge_id>/public/", views.badge_public, name="badge_public"),
    path("badges/<int:badge_id>/check/", views.badge_reverify, name="badge_reverify"),
    path("badges/<int:badge_id>/delete/", views.badge_delete, name="badge_delete"),
    path("b/<str:ident>/", views.badge_page, name="badge"),
]
