"""URL scheme: /accounts/… for the person, /moderation/<city>/… for moderators,
/setup/<city>/… for the staff who set up consultations,
/review/<city>/… for the review of proposals before the vote,
/paper/<city>/<consultation>/… for the clerks who enter paper ballots,
/<city>/<consultation>/… for everything about one consultation (see docs/web.md)."""
from django.urls import include, path

from . import views

app_name = "consult"

account_urls = [
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("profile/data.json", views.data_download, name="data_download"),
    path("profile/delete/", views.account_delete, name="account_delete"),
    path("participation/", views.my_participation, name="my_participation"),
    path("verify/", views.verify_residence, name="verify_residence"),
]

moderation_urls = [
    path("", views.moderation_queue, name="moderation"),
    path("<str:kind>/<int:pk>/", views.moderate, name="moderate"),
]

setup_urls = [
    path("", views.setup_list, name="setup_list"),
    path("new/", views.setup_create, name="setup_create"),
    path("<slug:slug>/edit/", views.setup_edit, name="setup_edit"),
    path("<slug:slug>/preview/", views.setup_preview, name="setup_preview"),
]

review_urls = [
    path("", views.review_home, name="review"),
    path("<slug:slug>/", views.review_consultation, name="review_consultation"),
]

paper_urls = [
    path("", views.paper_entry, name="paper_entry"),
    path("mismatches/", views.paper_mismatches, name="paper_mismatches"),
    path("import/", views.paper_import, name="paper_import"),
]

consultation_urls = [
    path("", views.consultation_detail, name="consultation"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:pk>/reject/", views.proposal_reject, name="proposal_reject"),
    path("proposals/<int:pk>/assess/", views.proposal_assess, name="proposal_assess"),
    path("proposals/<int:pk>/support/", views.proposal_support, name="proposal_support"),
    path("proposals/<int:pk>/unsupport/", views.proposal_unsupport, name="proposal_unsupport"),
    path("proposals/<int:pk>/follow/", views.proposal_follow, name="proposal_follow"),
    path("proposals/<int:pk>/unfollow/", views.proposal_unfollow, name="proposal_unfollow"),
    path("proposals/<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("proposals/<int:pk>/flag/", views.flag, name="proposal_flag"),
    path("proposals/<int:pk>/comments/<int:comment_pk>/flag/", views.flag, name="comment_flag"),
    path("vote/", views.vote, name="vote"),
    path("vote/receipt/", views.vote_receipt, name="vote_receipt"),
    path("results/", views.results, name="results"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include(account_urls)),
    path("moderation/<slug:city>/", include(moderation_urls)),
    path("setup/<slug:city>/", include(setup_urls)),
    path("review/<slug:city>/", include(review_urls)),
    path("paper/<slug:city>/<slug:slug>/", include(paper_urls)),
    # Last: two free slugs would shadow any later prefix.
    path("<slug:city>/<slug:slug>/", include(consultation_urls)),
]
