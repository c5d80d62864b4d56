"""REST API views. Thin, like the web views: they load what the URL names (404 when the viewer
may not see it), parse the request with an input serializer, call the same service the web calls
(consult.services, planning.services) and serialize the result. A service's NotAllowed becomes a
403 and any other ServiceError a 400, through the one error format of api.exceptions.

One module per area of api/urls.py; this package re-exports every view (``views.X.as_view()``)."""

from ._common import ApiDefaults, ApiView
from .auth import NotFound, ObtainToken
from .census import MeVerification
from .counts import (
    CountCompare,
    CountJobDetail,
    CountJobList,
    CountRunDetail,
    CountRunList,
    OfficialChoiceList,
    ResultsPublicationView,
    ResultSummary,
)
from .plan_parts import (
    ActionDetail,
    BudgetLineDetail,
    BudgetLineSpending,
    IndicatorActuals,
    IndicatorDetail,
    ObjectiveDetail,
    PlanActionList,
    PlanBudgetLineList,
    PlanIndicatorList,
    PlanObjectiveList,
)
from .plans import (
    CouncilRuleDetail,
    PlanCommentList,
    PlanDecisionList,
    PlanDetail,
    PlanList,
    PlanRevision,
    PlanSubmit,
    PlanVersionDetail,
    PlanVersionList,
    PlanVoteList,
    Waiting,
)
from .proposals import (
    CommentList,
    FlagCreate,
    FollowView,
    ModerationDecisionDetail,
    ModerationDecisionList,
    ProposalDetail,
    ProposalList,
    ProposalReject,
    ProposalWithdraw,
    SupportView,
)
from .reference import (
    CityDetail,
    CityList,
    ConsultationDetail,
    ConsultationList,
    OrganisationDetail,
    OrganisationList,
    ThemeList,
)
from .reports import PublishedReportDetail, PublishedReportList
from .review import AssignmentCreate, ProposalAssessmentView
from .voting import BallotProposalList, BallotView, Me, MeData, ReceiptCheck, ResultList

__all__ = [
    "ReceiptCheck",
    "ApiDefaults",
    "ApiView",
    "CityList",
    "CountJobDetail",
    "CountJobList",
    "CityDetail",
    "OrganisationList",
    "OrganisationDetail",
    "ConsultationList",
    "ConsultationDetail",
    "ThemeList",
    "ProposalList",
    "ProposalDetail",
    "ProposalWithdraw",
    "ProposalReject",
    "SupportView",
    "FollowView",
    "ProposalAssessmentView",
    "AssignmentCreate",
    "CommentList",
    "FlagCreate",
    "ModerationDecisionList",
    "ModerationDecisionDetail",
    "BallotView",
    "BallotProposalList",
    "ResultList",
    "Me",
    "MeData",
    "MeVerification",
    "CountRunList",
    "CountRunDetail",
    "CountCompare",
    "OfficialChoiceList",
    "ResultsPublicationView",
    "ResultSummary",
    "PlanList",
    "PlanDetail",
    "PlanRevision",
    "PlanSubmit",
    "PlanVersionList",
    "Waiting",
    "PlanVersionDetail",
    "PlanDecisionList",
    "PlanVoteList",
    "CouncilRuleDetail",
    "PlanCommentList",
    "PlanObjectiveList",
    "PlanActionList",
    "PlanIndicatorList",
    "ObjectiveDetail",
    "ActionDetail",
    "IndicatorDetail",
    "IndicatorActuals",
    "PlanBudgetLineList",
    "BudgetLineDetail",
    "BudgetLineSpending",
    "PublishedReportList",
    "PublishedReportDetail",
    "ObtainToken",
    "NotFound",
]
