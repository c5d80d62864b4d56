"""What every API view shares: the defaults (authentication, permissions, throttles,
the error format, the schema) and the helpers that load and parse."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from consult import rules as consult_rules
from consult import selectors as consult_selectors
from consult import services as consult_services
from consult.models import Consultation, Proposal
from core.errors import ServiceError
from planning import services as plan_services
from planning.models import StrategyPlan

from .. import serializers as s
from ..authentication import ExpiringTokenAuthentication
from ..exceptions import from_service_error, handler
from ..permissions import ReadOrAuthenticated
from ..schema import CabildoAutoSchema
from ..throttles import AnonThrottle, WriteThrottle


class ApiDefaults:
    """What every API view shares: token then session authentication (so that an anonymous
    write gets 401 with `WWW-Authenticate: Token`), read-or-authenticated, throttles, the error
    format and the schema. One mixin, no tower."""

    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [ReadOrAuthenticated]
    throttle_classes = [AnonThrottle, WriteThrottle]
    schema = CabildoAutoSchema()

    def get_exception_handler(self):
        return handler

    def handle_exception(self, exc):
        if isinstance(exc, ServiceError):
            exc = from_service_error(exc)
            if isinstance(exc, exceptions.PermissionDenied) and not (
                self.request.user and self.request.user.is_authenticated
            ):
                # Logging in might help: 401 with WWW-Authenticate, as for permission classes.
                exc = exceptions.NotAuthenticated(exc.detail)
        return super().handle_exception(exc)


class ApiView(ApiDefaults, APIView):
    pass


# --- helpers -----------------------------------------------------------------------------------


def participant_required(request):
    return consult_services.ensure_participant(user=request.user)


def consultation_or_404(pk: int) -> Consultation:
    return get_object_or_404(Consultation.objects.select_related("city"), pk=pk)


def visible_proposal(request, pk: int) -> Proposal:
    """A proposal whose content the viewer may read (`consult.rules.can_read_proposal`, as on
    the web, where others see only that it is hidden)."""
    try:
        proposal = consult_selectors.proposal_for_reader(user=request.user, pk=pk)
    except Proposal.DoesNotExist as error:
        raise Http404(consult_selectors.NO_SUCH_PROPOSAL) from error
    if not consult_rules.can_read_proposal(request.user, proposal):
        raise Http404(consult_selectors.NO_SUCH_PROPOSAL)
    return proposal


def proposal_response(request, pk: int) -> Response:
    proposal = visible_proposal(request, pk)
    participant = consult_rules.participant_of(request.user)
    if participant is not None:
        proposal.is_supported = consult_selectors.supports_proposal(
            participant=participant, proposal=proposal)
    return Response(s.ProposalSerializer(proposal).data)


def load(model, pk, field: str):
    """An object named in a request body; a missing one is a 400 on that field."""
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise no_such(model, field=field)
    return obj


def no_such(model, *, field: str) -> ServiceError:
    """The 400 for an id in a request body that names nothing."""
    return ServiceError(_("No such %(what)s.") % {"what": model._meta.verbose_name},
                        field=field)


def loaded_all(model, pks, field: str) -> list:
    """Every object named by a list of ids in a request body, or a 400 on that field."""
    objs = list(model.objects.filter(pk__in=set(pks)))
    if len(objs) != len(set(pks)):
        raise no_such(model, field=field)
    return objs


def parsed(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def plan_part(model, plan: StrategyPlan, pk, field: str):
    """An objective or action of this plan named in a request body; a 400 on the field with the
    services' own message (`NOT_OF_THIS_PLAN`) if it is missing or of another plan."""
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, plan=plan).first()
    if obj is None:
        raise ServiceError(str(plan_services.NOT_OF_THIS_PLAN[field]), field=field)
    obj.plan = plan
    return obj
