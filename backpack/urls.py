from __future__ import annotations

from django.urls import path

from backpack import views

urlpatterns = [
    path("badges/collections/", views.collections_page, name="collections"),
    path("badges/collections/new/", views.collection_create, name="collection_create"),
    path("badges/collections/<int:collection_id>/", views.collection_update, name="collection_update"),
    path("badges/collections/<int:collection_id>/delete/", views.collection_delete, name="collection_delete"),
    path("c/<str:public_id>/", views.collection_page, name="collection"),
]
