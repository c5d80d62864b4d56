"""The REST API: /api/v1/ (see docs/api.md), the OpenAPI schema at /api/schema/ and its
documentation at /api/docs/ (Swagger UI) and /api/redoc/."""
from django.urls import include, path, re_path

from . import docs, views

app_name = "api"

v1 = [
    path("auth/token/", views.ObtainToken.as_view(), name="token"),
    path("me/", views.Me.as_view(), name="me"),
    path("cities/", views.CityList.as_view(), name="city-list"),
    path("cities/<int:pk>/", views.CityDetail.as_view(), name="city-detail"),
    path("organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path("organisations/<int:pk>/", views.OrganisationDetail.as_view(),
         name="organisation-detail"),
    path("consultations/", views.ConsultationList.as_view(), name="consultation-list"),
    path("consultations/<int:pk>/", views.ConsultationDetail.as_view(),
         name="consultation-detail"),
    path("consultations/<int:pk>/themes/", views.ThemeList.as_view(), name="theme-list"),
    path("consultations/<int:pk>/proposals/", views.ProposalList.as_view(),
         name="proposal-list"),
    path("consultations/<int:pk>/ballot/", views.BallotView.as_view(), name="ballot"),
    path("consultations/<int:pk>/ballot/proposals/", views.BallotProposalList.as_view(),
         name="ballot-proposals"),
    path("consultations/<int:pk>/results/", views.ResultList.as_view(), name="results"),
    path("proposals/<int:pk>/", views.ProposalDetail.as_view(), name="proposal-detail"),
    path("proposals/<int:pk>/withdraw/", views.ProposalWithdraw.as_view(),
         name="proposal-withdraw"),
    path("proposals/<int:pk>/reject/", views.ProposalReject.as_view(), name="proposal-reject"),
    path("proposals/<int:pk>/support/", views.SupportView.as_view(), name="support"),
    path("proposals/<int:pk>/comments/", views.CommentList.as_view(), name="comment-list"),
    path("flags/", views.FlagCreate.as_view(), name="flag-create"),
    path("moderation-decisions/", views.ModerationDecisionList.as_view(),
         name="moderation-decision-list"),
    path("moderation-decisions/<int:pk>/", views.ModerationDecisionDetail.as_view(),
         name="moderation-decision-detail"),
    path("count-runs/", views.CountRunList.as_view(), name="count-run-list"),
    path("count-runs/<int:pk>/", views.CountRunDetail.as_view(), name="count-run-detail"),
    path("plans/", views.PlanList.as_view(), name="plan-list"),
    path("plans/<int:pk>/", views.PlanDetail.as_view(), name="plan-detail"),
    path("plans/<int:pk>/objectives/", views.PlanObjectiveList.as_view(),
         name="plan-objectives"),
    path("plans/<int:pk>/actions/", views.PlanActionList.as_view(), name="plan-actions"),
    path("plans/<int:pk>/budget-lines/", views.PlanBudgetLineList.as_view(),
         name="plan-budget-lines"),
    path("plans/<int:pk>/indicators/", views.PlanIndicatorList.as_view(),
         name="plan-indicators"),
    path("plans/<int:pk>/submit/", views.PlanSubmit.as_view(), name="plan-submit"),
    path("plans/<int:pk>/versions/", views.PlanVersionList.as_view(), name="plan-versions"),
    path("plans/<int:pk>/versions/<int:number>/", views.PlanVersionDetail.as_view(),
         name="plan-version-detail"),
    path("plans/<int:pk>/decisions/", views.PlanDecisionList.as_view(),
         name="plan-decisions"),
    path("plans/<int:pk>/comments/", views.PlanCommentList.as_view(), name="plan-comments"),
    path("budget-lines/<int:pk>/", views.BudgetLineDetail.as_view(), name="budget-line-detail"),
    path("published-reports/", views.PublishedReportList.as_view(),
         name="published-report-list"),
    path("published-reports/<int:pk>/", views.PublishedReportDetail.as_view(),
         name="published-report-detail"),
]

urlpatterns = [
    path("v1/", include(v1)),  # names stay in the "api" namespace: reverse("api:plan-detail")
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.SwaggerView.as_view(), name="docs"),
    path("redoc/", docs.RedocView.as_view(), name="redoc"),
    re_path(r"^docs/assets/(?P<path>.+)$", docs.sidecar_asset, name="sidecar-asset"),
    # Last: any other /api/ address answers in the API's error format.
    re_path(r"^", views.NotFound.as_view(), name="not-found"),
]
