from __future__ import annotations

from django.urls import path

from credentials import views

urlpatterns = [
    path(".well-known/did.json", views.instance_did, name="instance_did"),
    path("m/<str:username>/did.json", views.member_did, name="member_did"),
    path("m/<str:username>/status/<int:number>", views.status_list, name="status_list"),
    path("m/<str:username>/credential", views.profile_credential, name="profile_credential"),
    path("e/<str:public_id>/credential", views.endorsement_credential, name="endorsement_credential"),
    path("settings/linked-profiles/", views.linked_profiles, name="linked_profiles"),
    path("settings/linked-profiles/<int:link_id>/delete/", views.unlink_profile, name="unlink_profile"),
]
