"""/plans/… — the planners' and council's workspace, the public approved plans and what became
of each proposal (see docs/planning.md)."""
from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.draft_start, name="draft_start"),
    path("new/<int:consultation_pk>/", views.draft_create, name="draft_create"),
    path("new/<int:consultation_pk>/count/", views.count_request, name="count_request"),
    path("counting/<int:consultation_pk>/", views.counting_page, name="counting"),
    path("counting/<int:consultation_pk>/compare/", views.counting_compare, name="compare"),
    path("counting/<int:consultation_pk>/official/", views.counting_official, name="official"),
    path("counting/<int:consultation_pk>/publish/", views.counting_publish, name="publish"),
    path("public/<int:pk>/", views.public_plan, name="public"),
    path("council-rule/<slug:city_slug>/", views.council_rule, name="council_rule"),
    path("proposal/<int:pk>/fate/", views.proposal_fate, name="proposal_fate"),
    path("<int:pk>/", views.workspace, name="workspace"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/objectives/new/", views.objective_form, name="objective_create"),
    path("<int:pk>/objectives/<int:item>/", views.objective_form, name="objective_edit"),
    path("<int:pk>/objectives/<int:item>/delete/", views.objective_delete,
         name="objective_delete"),
    path("<int:pk>/actions/new/", views.action_form, name="action_create"),
    path("<int:pk>/actions/<int:item>/", views.action_form, name="action_edit"),
    path("<int:pk>/actions/<int:item>/delete/", views.action_delete, name="action_delete"),
    path("<int:pk>/lines/new/", views.line_form, name="line_create"),
    path("<int:pk>/lines/<int:item>/", views.line_form, name="line_edit"),
    path("<int:pk>/lines/<int:item>/delete/", views.line_delete, name="line_delete"),
    path("<int:pk>/indicators/new/", views.indicator_form, name="indicator_create"),
    path("<int:pk>/indicators/<int:item>/", views.indicator_form, name="indicator_edit"),
    path("<int:pk>/indicators/<int:item>/delete/", views.indicator_delete,
         name="indicator_delete"),
    path("<int:pk>/submit/", views.plan_submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("<int:pk>/revision/", views.revision_start, name="revision_start"),
    path("<int:pk>/versions/", views.versions, name="versions"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/diff/", views.version_diff, name="diff"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/monitoring/", views.monitoring, name="monitoring"),
]
