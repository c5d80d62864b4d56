"""/reports/… — consultation results, plan reports, the network dashboard, published
snapshots and their exports (see docs/reports.md)."""
from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("network/", views.network, name="network"),
    path("network/tables/<slug:table>.<slug:fmt>", views.network_export, name="network_export"),
    path("consultation/<int:pk>/", views.consultation_report, name="consultation"),
    path("consultation/<int:pk>/published/", views.consultation_published,
         name="consultation_published"),
    path("consultation/<int:pk>/publish/", views.consultation_publish,
         name="consultation_publish"),
    path("consultation/<int:pk>/pack/", views.consultation_pack, name="consultation_pack"),
    path("consultation/<int:pk>/ballots.pb", views.ballots_pabulib, name="ballots"),
    path("consultation/<int:pk>/tables/<slug:table>.<slug:fmt>", views.consultation_export,
         name="consultation_export"),
    path("plan/<int:pk>/", views.plan_report, name="plan"),
    path("plan/<int:pk>/published/", views.plan_published, name="plan_published"),
    path("plan/<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("plan/<int:pk>/pack/", views.plan_pack, name="plan_pack"),
    path("plan/<int:pk>/tables/<slug:table>.<slug:fmt>", views.plan_export, name="plan_export"),
    path("published/<int:pk>/", views.published, name="published"),
    path("published/<int:pk>/pack/", views.published_pack, name="published_pack"),
    path("published/<int:pk>/tables/<slug:table>.<slug:fmt>", views.published_export,
         name="published_export"),
]
