"""A plan's parts: objectives, actions, indicators (with their actuals) and budget lines
(with their spending)."""
from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from consult.models import City, Proposal
from core.errors import NotAllowed
from planning import rules as plan_rules
from planning import selectors as plan_selectors
from planning import services as plan_services
from planning.models import Action, BudgetLine, Indicator, IndicatorPeriod, Objective, StrategyPlan

from .. import serializers as s
from ._common import ApiDefaults, ApiView, loaded_all, parsed, plan_part
from .plans import live_plan_or_error, plan_or_404


class _LivePlanList(ApiDefaults, generics.ListAPIView):
    """Base of the lists of a plan's live parts (objectives, actions, lines, indicators)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.plan = plan_or_404(request, kwargs["pk"])
        if request.method == "GET" and not plan_rules.can_see_live_plan(request.user, self.plan):
            raise NotAllowed(str(plan_selectors.LIVE_PLAN_HIDDEN))


def action_relations(plan: StrategyPlan, data: dict) -> dict:
    """Ids of the action's objective, partner cities and proposals → objects."""
    if "objective" in data:
        data["objective"] = plan_part(Objective, plan, data["objective"], "objective")
    if "partner_cities" in data:
        data["partner_cities"] = loaded_all(City, data["partner_cities"], "partner_cities")
    if "proposals" in data:
        data["proposals"] = loaded_all(Proposal, data["proposals"], "proposals")
    return data


def indicator_targets(data: dict) -> tuple[dict | None, dict | None]:
    items = data.pop("targets", None)
    if items is None:
        return None, None
    targets = {item["year"]: item["target"] for item in items if "target" in item}
    comments = {item["year"]: item["target_comment"] for item in items
                if "target_comment" in item}
    return targets, comments


def indicators_with_periods():
    return Indicator.objects.prefetch_related(
        Prefetch("periods", queryset=IndicatorPeriod.objects.order_by("year")))


def indicator_response(pk: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.IndicatorSerializer(indicators_with_periods().get(pk=pk)).data,
                    status=code)


class PlanObjectiveList(_LivePlanList):
    """A plan's objectives. POST (the city's planners, while the plan is a draft or returned)
    adds one."""

    queryset = Objective.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ObjectiveSerializer

    def get_queryset(self):
        return Objective.objects.filter(plan=self.plan).order_by("position", "pk")

    @extend_schema(request=s.ObjectiveWriteSerializer, responses={201: s.ObjectiveSerializer})
    def post(self, request, pk: int):
        data = dict(parsed(s.ObjectiveWriteSerializer, request))
        objective = plan_services.objective_create(
            plan=self.plan, user=request.user,
            translations=s.translations_of(data, "title", "description"), **data)
        return Response(s.ObjectiveSerializer(objective).data, status=status.HTTP_201_CREATED)


class PlanActionList(_LivePlanList):
    """A plan's actions. POST (the city's planners, while the plan is a draft or returned) adds
    one under an objective of the plan."""

    queryset = Action.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.ActionSerializer

    def get_queryset(self):
        return (Action.objects.filter(plan=self.plan)
                .prefetch_related("partner_cities", "proposals"))

    @extend_schema(request=s.ActionWriteSerializer, responses={201: s.ActionSerializer})
    def post(self, request, pk: int):
        data = action_relations(self.plan, dict(parsed(s.ActionWriteSerializer, request)))
        action = plan_services.action_create(
            plan=self.plan, user=request.user,
            translations=s.translations_of(data, "title", "description"), **data)
        return Response(s.ActionSerializer(action).data, status=status.HTTP_201_CREATED)


class PlanIndicatorList(_LivePlanList):
    """A plan's indicators with their targets and actuals per year. POST (the city's planners,
    while the plan is a draft or returned) adds one, for an action or an objective, with its
    targets per year."""

    queryset = Indicator.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.IndicatorSerializer

    def get_queryset(self):
        return indicators_with_periods().filter(plan=self.plan)

    @extend_schema(request=s.IndicatorWriteSerializer, responses={201: s.IndicatorSerializer})
    def post(self, request, pk: int):
        data = dict(parsed(s.IndicatorWriteSerializer, request))
        targets, comments = indicator_targets(data)
        data["action"] = plan_part(Action, self.plan, data["action"], "action")
        data["objective"] = plan_part(Objective, self.plan, data["objective"], "objective")
        indicator = plan_services.indicator_create(
            plan=self.plan, user=request.user, targets=targets, target_comments=comments, **data)
        return indicator_response(indicator.pk, status.HTTP_201_CREATED)


class _PlanPartDetail(ApiView):
    """Base of the details of a plan's parts: GET as the live lists; PATCH and DELETE load the
    part if its plan is visible and leave the rest to the service."""

    model = None

    def _part(self, request, pk: int, *, read: bool):
        obj = get_object_or_404(self.model.objects.all(), pk=pk)
        obj.plan = (live_plan_or_error if read else plan_or_404)(request, obj.plan_id)
        return obj


class ObjectiveDetail(_PlanPartDetail):
    """An objective. PATCH and DELETE (an objective without actions): the city's planners,
    while the plan is a draft or returned."""

    model = Objective

    @extend_schema(responses=s.ObjectiveSerializer)
    def get(self, request, pk: int):
        return Response(s.ObjectiveSerializer(self._part(request, pk, read=True)).data)

    @extend_schema(request=s.ObjectiveUpdateSerializer, responses=s.ObjectiveSerializer)
    def patch(self, request, pk: int):
        objective = self._part(request, pk, read=False)
        data = dict(parsed(s.ObjectiveUpdateSerializer, request))
        objective = plan_services.objective_update(
            objective=objective, user=request.user,
            translations=s.translations_of(data, "title", "description"), **data)
        return Response(s.ObjectiveSerializer(objective).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        objective = self._part(request, pk, read=False)
        plan_services.objective_delete(objective=objective, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActionDetail(_PlanPartDetail):
    """An action. PATCH and DELETE (with its budget lines and indicators): the city's planners,
    while the plan is a draft or returned."""

    model = Action

    @extend_schema(responses=s.ActionSerializer)
    def get(self, request, pk: int):
        return Response(s.ActionSerializer(self._part(request, pk, read=True)).data)

    @extend_schema(request=s.ActionUpdateSerializer, responses=s.ActionSerializer)
    def patch(self, request, pk: int):
        action = self._part(request, pk, read=False)
        data = action_relations(action.plan, dict(parsed(s.ActionUpdateSerializer, request)))
        action = plan_services.action_update(
            action=action, user=request.user,
            translations=s.translations_of(data, "title", "description"), **data)
        return Response(s.ActionSerializer(action).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        action = self._part(request, pk, read=False)
        plan_services.action_delete(action=action, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IndicatorDetail(_PlanPartDetail):
    """An indicator with its periods. PATCH (targets: only the years sent change) and DELETE:
    the city's planners, while the plan is a draft or returned."""

    model = Indicator

    @extend_schema(responses=s.IndicatorSerializer)
    def get(self, request, pk: int):
        indicator = self._part(request, pk, read=True)
        return indicator_response(indicator.pk)

    @extend_schema(request=s.IndicatorUpdateSerializer, responses=s.IndicatorSerializer)
    def patch(self, request, pk: int):
        indicator = self._part(request, pk, read=False)
        data = dict(parsed(s.IndicatorUpdateSerializer, request))
        targets, comments = indicator_targets(data)
        for name, model in (("action", Action), ("objective", Objective)):
            if name in data:
                data[name] = plan_part(model, indicator.plan, data[name], name)
        plan_services.indicator_update(indicator=indicator, user=request.user, targets=targets,
                                       target_comments=comments, **data)
        return indicator_response(pk)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        indicator = self._part(request, pk, read=False)
        plan_services.indicator_delete(indicator=indicator, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IndicatorActuals(ApiView):
    """Monitoring: the city's planners record an indicator's actual value for a year, once the
    plan is approved."""

    @extend_schema(request=s.ActualWriteSerializer, responses=s.IndicatorSerializer)
    def put(self, request, pk: int):
        indicator = get_object_or_404(Indicator.objects.all(), pk=pk)
        indicator.plan = plan_or_404(request, indicator.plan_id)
        data = parsed(s.ActualWriteSerializer, request)
        plan_services.indicator_record_actual(indicator=indicator, user=request.user, **data)
        return indicator_response(pk)


class PlanBudgetLineList(_LivePlanList):
    """A plan's budget lines (per action and year). POST (the city's planners, while the plan is
    a draft or returned) adds one."""

    queryset = BudgetLine.objects.none()  # for the schema; get_queryset() decides
    serializer_class = s.BudgetLineSerializer

    def get_queryset(self):
        return BudgetLine.objects.filter(action__plan=self.plan).order_by(
            "action_id", "year", "source", "type", "pk")

    @extend_schema(request=s.BudgetLineWriteSerializer, responses={201: s.BudgetLineSerializer})
    def post(self, request, pk: int):
        data = dict(parsed(s.BudgetLineWriteSerializer, request))
        action = plan_part(Action, self.plan, data.pop("action"), "action")
        line = plan_services.budget_line_create(action=action, user=request.user, **data)
        return Response(s.BudgetLineSerializer(line).data, status=status.HTTP_201_CREATED)


class BudgetLineDetail(ApiView):
    """A budget line. PATCH and DELETE: the city's planners, while the plan is a draft or
    returned."""

    def _line(self, request, pk: int, *, read: bool) -> BudgetLine:
        line = get_object_or_404(BudgetLine.objects.select_related("action"), pk=pk)
        plan = (live_plan_or_error if read else plan_or_404)(request, line.action.plan_id)
        line.action.plan = plan
        return line

    @extend_schema(responses=s.BudgetLineSerializer)
    def get(self, request, pk: int):
        return Response(s.BudgetLineSerializer(self._line(request, pk, read=True)).data)

    @extend_schema(request=s.BudgetLineUpdateSerializer, responses=s.BudgetLineSerializer)
    def patch(self, request, pk: int):
        line = self._line(request, pk, read=False)
        data = parsed(s.BudgetLineUpdateSerializer, request)
        line = plan_services.budget_line_update(line=line, user=request.user, **data)
        return Response(s.BudgetLineSerializer(line).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        line = self._line(request, pk, read=False)
        plan_services.budget_line_delete(line=line, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BudgetLineSpending(ApiView):
    """Monitoring: the city's planners record what was spent on a budget line, once the plan is
    approved (null clears it)."""

    @extend_schema(request=s.SpendingWriteSerializer, responses=s.BudgetLineSerializer)
    def put(self, request, pk: int):
        line = get_object_or_404(BudgetLine.objects.select_related("action"), pk=pk)
        line.action.plan = plan_or_404(request, line.action.plan_id)
        data = parsed(s.SpendingWriteSerializer, request)
        line = plan_services.budget_line_record_spending(line=line, user=request.user,
                                                          spent=data["spent"])
        return Response(s.BudgetLineSerializer(line).data)
