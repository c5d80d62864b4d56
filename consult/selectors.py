"""Reads. Counting happens in the database (annotate / aggregate), never in Python loops."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain

import numpy as np
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from . import rules
from .models import (
    Ballot,
    BallotChoice,
    CastIdentity,
    CensusEntry,
    City,
    CityRole,
    Comment,
    Consultation,
    ConsultationTally,
    Flag,
    ModerationDecision,
    PaperEntry,
    Participant,
    Proposal,
    ProposalAssessment,
    ProposalFollow,
    Support,
    Verification,
)

#: The answer, on the web and in the API, to a proposal the reader may not open: a draft is
#: not known to exist except to its author.
NO_SUCH_PROPOSAL = gettext_lazy("No such proposal.")
#: The answer to a consultation that is not there (or not in the city the address names).
NO_SUCH_CONSULTATION = gettext_lazy("No such consultation.")
#: The answer to a receipt asked for by someone who has no ballot in the consultation.
NOT_VOTED = gettext_lazy("You have not voted in this consultation.")

VISIBLE_STATUSES = (
    Proposal.Status.PUBLISHED,
    Proposal.Status.SHORTLISTED,
    Proposal.Status.SELECTED,
    Proposal.Status.REJECTED,
    Proposal.Status.WITHDRAWN,
)


def supports_counted():
    """The outer proposal's Support rows, counted in the database (a correlated subquery on
    the proposal_id index)."""
    counted = (
        Support.objects.filter(proposal=OuterRef("pk")).order_by().values("proposal")
        .annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def support_count_drift(*, city: City | None = None) -> QuerySet[Proposal]:
    """Proposals whose stored `support_count` differs from their Support rows, each with the
    true count as `counted` (one query)."""
    proposals = Proposal.objects.all() if city is None else Proposal.objects.filter(
        consultation__city=city)
    return (
        proposals.annotate(counted=supports_counted())
        .exclude(support_count=F("counted"))
        .order_by("pk")
    )


def proposals_public(*, consultation: Consultation) -> QuerySet[Proposal]:
    """Proposals anyone may read, with their support count, ready for a list page."""
    return (
        Proposal.objects.filter(consultation=consultation, status__in=VISIBLE_STATUSES)
        .filter(is_hidden=False)
        .select_related("theme", "organisation", "author__user", "author__city")
    )


def ballot_cost():
    """The cost a proposal has on the ballot, in the voting limits and in counts: its validated
    cost once a reviewer found it feasible, the author's estimate otherwise (an expression, for
    `annotate(ballot_cost=ballot_cost())`)."""
    return Coalesce(F("assessment__validated_cost"), F("estimated_cost"))


def proposals_on_ballot(
    *, consultation: Consultation, ids: Iterable[int] | None = None
) -> QuerySet[Proposal]:
    """Proposals that reach the vote: shortlisted by hand, or published with enough supports;
    never one that a reviewer found not feasible, and, where the consultation requires
    assessment, only those found feasible. Each carries its `ballot_cost`."""
    verdict = ProposalAssessment.Verdict
    qs = (
        Proposal.objects.filter(consultation=consultation, is_hidden=False)
        .filter(
            Q(status__in=(Proposal.Status.SHORTLISTED, Proposal.Status.SELECTED))
            | Q(status=Proposal.Status.PUBLISHED, support_count__gte=consultation.min_supports)
        )
    )
    if consultation.requires_assessment:
        qs = qs.filter(assessment__verdict=verdict.FEASIBLE)
    else:
        qs = qs.filter(Q(assessment__isnull=True)
                       | Q(assessment__verdict__in=(verdict.PENDING, verdict.FEASIBLE)))
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.annotate(ballot_cost=ballot_cost())


#: City roles whose holders work on the city's plans and see their drafts.
WORKER_ROLES = (CityRole.Role.PLANNER, CityRole.Role.ADMIN, CityRole.Role.COUNCIL)


def city_ids_with_roles(*, user, roles: Iterable[str]) -> set[int]:
    """The cities where the user holds one of these roles (empty for anonymous visitors)."""
    if not user.is_authenticated:
        return set()
    return set(
        CityRole.objects.filter(user=user, role__in=list(roles)).values_list("city_id", flat=True)
    )


def proposal_for_reader(*, user, pk: int, consultation: Consultation | None = None) -> Proposal:
    """A proposal the user may open (`rules.can_see_proposal`: drafts only by their author), with
    what its page shows; Proposal.DoesNotExist otherwise. Whether its content may be read too
    (hidden proposals) is `rules.can_read_proposal`."""
    proposals = Proposal.objects.all() if consultation is None else Proposal.objects.filter(
        consultation=consultation)
    proposal = (
        proposals.select_related("theme", "organisation", "author__user", "author__city",
                                 "consultation__city", "assessment")
        .prefetch_related("year_costs", "decisions", "assessment__year_costs")
        .get(pk=pk)
    )
    if not rules.can_see_proposal(user, proposal):
        raise Proposal.DoesNotExist
    return proposal


def moderation_decisions_readable(*, user) -> QuerySet[ModerationDecision]:
    """Decisions on content of the cities the user moderates, and on the user's own content."""
    if not user.is_authenticated:
        return ModerationDecision.objects.none()
    cities = city_ids_with_roles(user=user, roles=(CityRole.Role.MODERATOR, CityRole.Role.ADMIN))
    condition = Q(proposal__consultation__city__in=cities) | Q(
        comment__proposal__consultation__city__in=cities)
    participant = rules.participant_of(user)
    if participant is not None:
        condition |= Q(proposal__author=participant) | Q(comment__author=participant)
    return ModerationDecision.objects.filter(condition).order_by("-created_at", "-pk")


def reader_city(*, user) -> City | None:
    """A person's own city: the one they take part in, else the first they work for."""
    participant = Participant.objects.filter(user=user).select_related("city").first()
    if participant is not None:
        return participant.city
    role = CityRole.objects.filter(user=user).select_related("city").order_by("pk").first()
    return role.city if role is not None else None


def participant_ids_of(*, consultation: Consultation) -> QuerySet:
    """Who took part here (supported, voted online or proposed), de-duplicated by UNION: the
    cost grows with this consultation's activity, never with the participants of other cities.
    Paper ballots have no participant (`paper_ballot_count`)."""
    return (
        Support.objects.filter(proposal__consultation=consultation)
        .values("participant_id").order_by()
        .union(Ballot.objects.filter(consultation=consultation, participant__isnull=False)
               .values("participant_id").order_by())
        .union(Proposal.objects.filter(consultation=consultation).values("author_id")
               .order_by())
    )


def paper_ballot_count(*, consultation: Consultation) -> int:
    """The consultation's paper ballots (the partial index of their serials answers it)."""
    return Ballot.objects.filter(consultation=consultation, channel=Ballot.Channel.PAPER).count()


def live_counts(*, consultation: Consultation) -> dict[str, int]:
    """Headline numbers computed now, in five queries that read this consultation only. The
    participants are people: the participants who took part online, plus one per paper ballot
    (its voter is known to the census or by a code, not as a participant)."""
    visible = Proposal.objects.filter(
        consultation=consultation, status__in=VISIBLE_STATUSES, is_hidden=False
    )
    paper = paper_ballot_count(consultation=consultation)
    return {
        "proposals": visible.count(),
        "supports": Support.objects.filter(proposal__in=visible).count(),
        "ballots": Ballot.objects.filter(consultation=consultation).count(),
        "participants": participant_ids_of(consultation=consultation).count() + paper,
    }


def live_vote_totals(*, consultation: Consultation) -> dict[int, tuple[int, int]]:
    """Votes and points per proposal id, grouped in the database. One choice per ballot and
    proposal is a constraint, so counting rows counts ballots."""
    return {
        row["proposal_id"]: (row["votes"], row["points"])
        for row in BallotChoice.objects.filter(ballot__consultation=consultation)
        .values("proposal_id").annotate(votes=Count("*"), points=Sum("points")).order_by()
    }


def current_tally(*, consultation: Consultation) -> ConsultationTally | None:
    """The stored tally of a closed consultation, if it was computed for its closing time."""
    tally = ConsultationTally.objects.filter(consultation=consultation).first()
    if tally is None or tally.voting_closes_at != consultation.voting_closes_at:
        return None
    return tally


def consultation_counts(*, consultation: Consultation) -> dict[str, int]:
    """Headline numbers of a consultation: stored once voting has closed, live before."""
    tally = current_tally(consultation=consultation)
    return tally.counts() if tally is not None else live_counts(consultation=consultation)


def vote_totals(*, consultation: Consultation) -> list[Proposal]:
    """The proposals that received votes, each with `votes` and `points`, most points first:
    from the stored tally once voting has closed (its cost does not grow with ballots), counted
    live before that."""
    tally = current_tally(consultation=consultation)
    if tally is not None:
        rows = tally.rows.select_related("proposal__theme", "proposal__consultation").annotate(
            ballot_cost=Coalesce(F("proposal__assessment__validated_cost"),
                                 F("proposal__estimated_cost")))
        proposals = []
        for row in rows.order_by("-points", "proposal_id"):
            row.proposal.votes, row.proposal.points = row.votes, row.points
            row.proposal.ballot_cost = row.ballot_cost
            proposals.append(row.proposal)
        return proposals
    totals = live_vote_totals(consultation=consultation)
    proposals = list(
        Proposal.objects.filter(consultation=consultation, pk__in=BallotChoice.objects.filter(
            ballot__consultation=consultation).values("proposal_id"))
        .select_related("theme", "consultation").annotate(ballot_cost=ballot_cost())
    )
    for proposal in proposals:
        proposal.votes, proposal.points = totals[proposal.pk]
    return sorted(proposals, key=lambda p: (-p.points, p.pk))


def ballot_choices_of(*, ballot: Ballot) -> dict[int, int]:
    return dict(BallotChoice.objects.filter(ballot=ballot).values_list("proposal_id", "points"))


def participant_data(*, participant: Participant) -> dict:
    """Everything Cabildo holds about a participant, for the 'download my data' right."""
    user = participant.user
    return {
        "account": {
            "username": user.username if user else None,
            "email": user.email if user else None,
            "date_joined": user.date_joined.isoformat() if user else None,
        },
        "profile": {
            "city": participant.city.slug,
            "public_name": participant.public_name,
            "district": participant.district,
            "age_band": participant.age_band,
            "gender": participant.gender,
            "consent_at": participant.consent_at.isoformat() if participant.consent_at else None,
            "is_verified": participant.is_verified,
        },
        # Not the identifier's hash: it would tell its holder nothing.
        "verifications": list(Verification.objects.filter(participant=participant)
                              .values("city__slug", "verified_at", "birth_date")),
        "proposals": list(
            participant.proposals.values("pk", "title", "status", "consultation__slug")
        ),
        "supports": list(participant.supports.values("proposal_id", "created_at")),
        "follows": list(participant.follows.values("proposal_id", "created_at")),
        "ballots_started": list(participant.ballot_starts.values("consultation__slug",
                                                                 "started_at")),
        "comments": list(participant.comments.values("pk", "proposal_id", "body", "created_at")),
        "ballots": [
            {
                "consultation": ballot.consultation.slug,
                "receipt_code": ballot.receipt_code,
                "choices": {choice.proposal_id: choice.points for choice in ballot.choices.all()},
            }
            for ballot in participant.ballots.select_related("consultation").prefetch_related(
                "choices"
            )
        ],
    }


@dataclass(frozen=True)
class BallotArrays:
    """A consultation's ballots as CSR arrays, for the counting engine.

    Voter ``v`` chose proposals ``proposal_pks[indices[indptr[v]:indptr[v + 1]]]``, with
    ``points`` alongside. Built from ``values_list`` streams, never one model instance per row.
    """

    proposal_pks: np.ndarray
    project_ids: list[str]
    costs: list[Decimal]
    indptr: np.ndarray
    indices: np.ndarray
    points: np.ndarray

    @property
    def n_ballots(self) -> int:
        return len(self.indptr) - 1


def engine_project_id(*, reference: str, pk: int) -> str:
    """How a proposal is named in a count (and in the explanations a CountRun stores): its
    external reference (e.g. a Pabulib project id), else its primary key."""
    return reference or str(pk)


def ballot_arrays(*, consultation: Consultation, chunk_size: int = 50_000) -> BallotArrays:
    """Stream the ballots of a consultation into arrays (three queries, whatever the size).

    On PostgreSQL the ballots and choices come out with binary ``COPY … TO STDOUT`` straight
    into numpy (no Python object per row); elsewhere through ``values_list`` iterators.
    """
    on_ballot = proposals_on_ballot(consultation=consultation).values_list("pk", flat=True)
    # A proposal that was on the ballot, or that somebody chose: EXISTS probes the choices'
    # proposal index once per proposal instead of joining and de-duplicating every choice.
    proposals = list(
        Proposal.objects.filter(consultation=consultation)
        .filter(Q(pk__in=on_ballot) | Exists(BallotChoice.objects.filter(proposal=OuterRef("pk"))))
        .order_by("pk")
        .annotate(ballot_cost=ballot_cost())
        .values_list("pk", "reference", "ballot_cost")
    )
    proposal_pks = np.array([pk for pk, _ref, _cost in proposals], dtype=np.int64)
    ballots = Ballot.objects.filter(consultation=consultation).order_by("pk").values_list("pk")
    choices = (
        BallotChoice.objects.filter(ballot__consultation=consultation)
        .order_by("ballot_id", "proposal_id")
        .values_list("ballot_id", "proposal_id", "points")
    )
    if connection.vendor == "postgresql":
        ballot_pks = np.sort(_copy_int_columns(ballots, 1)[:, 0])
        flat = _copy_int_columns(choices, 3)
        # COPY of an ordered subquery keeps its order in practice, but SQL does not promise it;
        # the CSR layout needs it, so check in O(n) and sort only if it ever did not hold.
        if len(flat) > 1 and not _is_sorted_by_first_two(flat):
            flat = flat[np.lexsort((flat[:, 1], flat[:, 0]))]
    else:
        ballot_pks = np.fromiter(
            (pk for (pk,) in ballots.iterator(chunk_size=chunk_size)), dtype=np.int64
        )
        n_choices = choices.count()
        flat = np.fromiter(
            chain.from_iterable(choices.iterator(chunk_size=chunk_size)),
            dtype=np.int64,
            count=3 * n_choices,
        ).reshape(n_choices, 3)
    # Ballots without choices stay in (they count as voters holding a share of the budget).
    indptr = np.searchsorted(flat[:, 0], ballot_pks, side="left")
    indptr = np.append(indptr, len(flat)).astype(np.int64)
    return BallotArrays(
        proposal_pks=proposal_pks,
        project_ids=[engine_project_id(reference=ref, pk=pk) for pk, ref, _cost in proposals],
        costs=[cost for _pk, _ref, cost in proposals],
        indptr=indptr,
        indices=np.searchsorted(proposal_pks, flat[:, 1]).astype(np.int64),
        points=np.ascontiguousarray(flat[:, 2]),
    )


def _is_sorted_by_first_two(rows: np.ndarray) -> bool:
    first, second = rows[:, 0], rows[:, 1]
    step = np.diff(first)
    return bool(np.all(step >= 0) and np.all(np.diff(second)[step == 0] > 0))


_PG_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def _copy_int_columns(queryset: QuerySet, n_columns: int) -> np.ndarray:
    """The integer columns of a ``values_list`` queryset as an (n, n_columns) int64 array, read
    with PostgreSQL's binary COPY. Each column is cast to bigint so that every row has one fixed
    layout — a 2-byte field count, then per field a 4-byte length and a big-endian 8-byte value —
    and numpy reads the rows in place; the file ends with a field count of -1."""
    sql, params = queryset.query.sql_with_params()
    names = ", ".join(f"c{i}" for i in range(n_columns))
    casts = ", ".join(f"c{i}::bigint" for i in range(n_columns))
    copy_sql = f"COPY (SELECT {casts} FROM ({sql}) AS q ({names})) TO STDOUT (FORMAT binary)"
    buffer = bytearray()
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql, params) as copy:
        for block in copy:
            buffer += block
    if not buffer.startswith(_PG_COPY_SIGNATURE):
        raise RuntimeError("PostgreSQL COPY returned an unexpected header")
    extension = int.from_bytes(buffer[15:19], "big")
    body = memoryview(buffer)[19 + extension:len(buffer) - 2]
    field = np.dtype([("length", ">i4"), ("value", ">i8")])
    row = np.dtype([("count", ">i2")] + [(f"c{i}", field) for i in range(n_columns)])
    rows = np.frombuffer(body, dtype=row)
    out = np.empty((len(rows), n_columns), dtype=np.int64)
    for i in range(n_columns):
        out[:, i] = rows[f"c{i}"]["value"]
    return out


# --- web pages ---------------------------------------------------------------------------------


def cities_with_consultations() -> QuerySet[City]:
    """The network's cities, each with its consultations and their proposal counts (2 queries)."""
    consultations = Consultation.objects.annotate(
        proposal_count=Count(
            "proposals",
            filter=Q(proposals__status__in=VISIBLE_STATUSES, proposals__is_hidden=False),
        )
    ).order_by("-voting_opens_at")
    return City.objects.prefetch_related(
        Prefetch("consultations", queryset=consultations)
    ).order_by("kind", "name")


def consultation_get(*, city_slug: str, slug: str) -> Consultation:
    """A consultation by its city's slug and its own, with the city; raises DoesNotExist."""
    return Consultation.objects.select_related("city").get(city__slug=city_slug, slug=slug)


#: The list's derived figures (its total, its district choices) are kept in the shared cache
#: instead of scanning every proposal per view; a change to any proposal of the consultation
#: starts a new version (`consult.signals`), so they never lag behind it.
LIST_FIGURES_SECONDS = 600


def proposal_list_version(*, consultation_id: int) -> int:
    return cache.get_or_set(f"proposal-list-version:{consultation_id}", 1, None)


def proposal_list_changed(*, consultation_id: int) -> None:
    key = f"proposal-list-version:{consultation_id}"
    try:
        cache.incr(key)
    except ValueError:  # not in the cache (yet, or any more): any new number will do
        cache.set(key, proposal_list_version(consultation_id=consultation_id) + 1, None)


def proposal_districts(*, consultation: Consultation) -> list[str]:
    """The districts the consultation's visible proposals name, for the list's filter."""
    version = proposal_list_version(consultation_id=consultation.pk)
    return cache.get_or_set(
        f"proposal-districts:{consultation.pk}:v{version}",
        lambda: list(
            Proposal.objects.filter(consultation=consultation, status__in=VISIBLE_STATUSES)
            .exclude(district="").values_list("district", flat=True).distinct()
            .order_by("district")),
        LIST_FIGURES_SECONDS,
    )


def proposals_listed(
    *, consultation: Consultation, participant: Participant | None = None
) -> QuerySet[Proposal]:
    """The public list, plus whether the viewer supports each proposal (still one query)."""
    qs = proposals_public(consultation=consultation)
    if participant is not None:
        qs = qs.annotate(
            is_supported=Exists(
                Support.objects.filter(participant=participant, proposal=OuterRef("pk"))
            )
        )
    return qs


def comments_of(*, proposal: Proposal) -> QuerySet[Comment]:
    """Top-level comments with their replies (one level deep), authors and decisions."""
    replies = Comment.objects.select_related("author__user", "author__city").prefetch_related(
        "decisions")
    return (
        Comment.objects.filter(proposal=proposal, parent__isnull=True)
        .select_related("author__user", "author__city")
        .prefetch_related("decisions", Prefetch("replies", queryset=replies))
    )


def supports_proposal(*, participant: Participant | None, proposal: Proposal) -> bool:
    if participant is None:
        return False
    return Support.objects.filter(participant=participant, proposal=proposal).exists()


def follows_proposal(*, participant: Participant | None, proposal: Proposal) -> bool:
    if participant is None:
        return False
    return ProposalFollow.objects.filter(participant=participant, proposal=proposal).exists()


def selected_proposal_ids(*, consultation: Consultation) -> set[int]:
    """The proposals the published results selected (their status says so)."""
    return set(Proposal.objects.filter(consultation=consultation, status=Proposal.Status.SELECTED)
               .values_list("pk", flat=True))


def proposal_audience(
    *, proposal_ids: Iterable[int], supporters: bool = True, voters: bool = True
) -> dict[int, dict]:
    """Who should hear what becomes of each proposal: proposal id → {"title", "users"}, the user
    ids of its author, its followers, and (if asked) its supporters and the voters who chose it
    on their ballot. One query per group of people, whatever their number; anonymised
    participants (no account) are left out."""
    ids = sorted(set(proposal_ids))
    audience: dict[int, dict] = {
        pk: {"title": title, "users": {author} if author is not None else set()}
        for pk, title, author in Proposal.objects.filter(pk__in=ids).values_list(
            "pk", "title", "author__user_id").iterator()
    }
    groups = [(ProposalFollow.objects.filter(proposal_id__in=ids), "participant__user_id")]
    if supporters:
        groups.append((Support.objects.filter(proposal_id__in=ids), "participant__user_id"))
    if voters:
        groups.append((BallotChoice.objects.filter(proposal_id__in=ids),
                       "ballot__participant__user_id"))
    for rows, user in groups:
        for proposal_id, user_id in (rows.filter(**{f"{user}__isnull": False}).order_by()
                                     .values_list("proposal_id", user)
                                     .iterator(chunk_size=10_000)):
            audience[proposal_id]["users"].add(user_id)
    return audience


def ballot_of(*, participant: Participant | None, consultation: Consultation) -> Ballot | None:
    if participant is None:
        return None
    return Ballot.objects.filter(participant=participant, consultation=consultation).first()


def ballot_has_code(*, ballot: Ballot) -> bool:
    """Whether a voting code is bound to the ballot (changing it asks for none again)."""
    return CastIdentity.objects.filter(ballot=ballot, kind=CastIdentity.Kind.CODE).exists()


def _reported(queryset: QuerySet, *, target: str) -> QuerySet:
    """Only the items with an open report, most reported first, then the longest waiting.
    (``filter(flags__resolved_at__isnull=True)`` would also match items with no flag at all:
    the join finds no row and the column is NULL.)"""
    open_flags = Flag.objects.filter(resolved_at__isnull=True)
    return (
        queryset.filter(Exists(open_flags.filter(**{target: OuterRef("pk")})))
        .annotate(open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)),
                  first_reported=Min("flags__created_at",
                                     filter=Q(flags__resolved_at__isnull=True)))
        .prefetch_related(Prefetch("flags", queryset=open_flags.order_by("created_at"),
                                   to_attr="open_flag_list"))
        .order_by("-open_flags", "first_reported", "pk")
    )


def moderation_queue(*, city: City) -> dict[str, QuerySet]:
    """Proposals and comments of a city with open reports, most reported and oldest first."""
    return {
        "proposals": _reported(
            Proposal.objects.filter(consultation__city=city)
            .select_related("consultation", "author__user", "author__city"), target="proposal"),
        "comments": _reported(
            Comment.objects.filter(proposal__consultation__city=city)
            .select_related("proposal__consultation", "author__user", "author__city"),
            target="comment"),
    }


def roles_with_cities(*, user) -> list[CityRole]:
    """All the user's roles with their cities, by city name: one query per request (kept on the
    user object, which also answers `rules.roles_in` for those cities from then on)."""
    if not user.is_authenticated:
        return []
    if "_roles_with_cities" not in user.__dict__:
        roles = list(CityRole.objects.filter(user=user).select_related("city")
                     .order_by("city__name", "role"))
        rules.remember_roles(user, roles)
        user.__dict__["_roles_with_cities"] = roles
    return user.__dict__["_roles_with_cities"]


def moderation_waiting(*, user) -> list[dict]:
    """For the header: per city the user moderates, how many items have open reports (one
    query for the roles and their cities, one per kind of content, whatever the number of
    cities or reports)."""
    if not user.is_authenticated:
        return []
    cities = {role.city_id: role.city for role in roles_with_cities(user=user)
              if role.role in (CityRole.Role.MODERATOR, CityRole.Role.ADMIN)}
    if not cities:
        return []
    city_ids = list(cities)
    open_flags = Flag.objects.filter(resolved_at__isnull=True)
    waiting: dict[int, int] = dict.fromkeys(city_ids, 0)
    for city_path, model, target in (
            ("consultation__city_id", Proposal, "proposal"),
            ("proposal__consultation__city_id", Comment, "comment")):
        rows = (model.objects.filter(**{f"{city_path}__in": city_ids})
                .filter(Exists(open_flags.filter(**{target: OuterRef("pk")})))
                .values(city_path).annotate(n=Count("pk")))
        for row in rows:
            waiting[row[city_path]] += row["n"]
    return [{"city": city, "waiting": waiting[pk]} for pk, city in cities.items()]


def recent_decisions(*, city: City, limit: int = 20) -> QuerySet[ModerationDecision]:
    return (
        ModerationDecision.objects.filter(
            Q(proposal__consultation__city=city) | Q(comment__proposal__consultation__city=city)
        )
        .select_related("moderator", "proposal__consultation", "comment__proposal__consultation")
        .order_by("-created_at")[:limit]
    )


def participation_of(*, participant: Participant) -> dict[str, QuerySet]:
    """What a participant did, everywhere, for the "my participation" page."""
    return {
        "proposals": participant.proposals.select_related("consultation__city")
        .prefetch_related("decisions")
        .order_by("-created_at"),
        "supports": participant.supports.select_related(
            "proposal__consultation__city"
        ).order_by("-created_at"),
        "comments": participant.comments.select_related("proposal__consultation__city")
        .prefetch_related("decisions")
        .order_by("-created_at"),
        "ballots": participant.ballots.select_related("consultation__city")
        .annotate(choice_count=Count("choices"))
        .order_by("-updated_at"),
    }


# --- set-up ------------------------------------------------------------------------------------


def setup_cities(*, user) -> list[City]:
    """For the header: the cities whose consultations the user may set up
    (`rules.can_set_up_consultations`), from the one query of `roles_with_cities`."""
    cities = {role.city_id: role.city for role in roles_with_cities(user=user)}
    return [city for city in cities.values() if rules.can_set_up_consultations(user, city)]


def consultations_for_setup(*, city: City) -> QuerySet[Consultation]:
    """A city's consultations for its staff, newest first, with their themes counted."""
    return (Consultation.objects.filter(city=city)
            .annotate(theme_count=Count("themes", distinct=True))
            .order_by("-proposals_open_at", "-pk"))


# --- the review of proposals before the vote --------------------------------------------------

#: The proposals a review looks at: public ones (a draft, a withdrawn or rejected proposal is
#: not assessed).
ASSESSABLE_STATUSES = (Proposal.Status.PUBLISHED, Proposal.Status.SHORTLISTED)


def assessment_of(*, proposal: Proposal) -> ProposalAssessment | None:
    """The proposal's assessment row, if any (loaded with the proposal by `proposal_for_reader`:
    no query then)."""
    return getattr(proposal, "assessment", None)  # no row: RelatedObjectDoesNotExist


def assessment_public(*, proposal: Proposal) -> ProposalAssessment | None:
    """What everyone may read of a proposal's review: the assessment once it has a verdict
    (the reviewer assigned and the notes for the planners are not public)."""
    assessment = assessment_of(proposal=proposal)
    return assessment if assessment is not None and assessment.is_assessed else None


def review_progress(*, city: City) -> QuerySet[Consultation]:
    """The city's consultations, newest first, each with `under_review` (its assessable
    proposals), `assessed` (those with a verdict) and `to_assess` (the others), in one query."""
    assessable = Q(proposals__status__in=ASSESSABLE_STATUSES)
    return (
        Consultation.objects.filter(city=city).select_related("city")
        .annotate(
            under_review=Count("proposals", filter=assessable),
            assessed=Count("proposals", filter=assessable & Q(
                proposals__assessment__verdict__in=(ProposalAssessment.Verdict.FEASIBLE,
                                                     ProposalAssessment.Verdict.NOT_FEASIBLE))),
        )
        .annotate(to_assess=F("under_review") - F("assessed"))
        .order_by("-voting_opens_at", "pk")
    )


def proposals_for_review(*, consultation: Consultation) -> QuerySet[Proposal]:
    """The proposals of a consultation under review, with their assessment and reviewer (one
    query for a page of them)."""
    return (
        Proposal.objects.filter(consultation=consultation, status__in=ASSESSABLE_STATUSES)
        .select_related("theme", "assessment__reviewer", "assessment__assessed_by")
        .order_by("pk")
    )


def reviewers_of(*, city: City):
    """The city's reviewers (people holding the reviewer role there), by name."""
    return get_user_model().objects.filter(
        city_roles__city=city, city_roles__role=CityRole.Role.REVIEWER
    ).order_by("username")


REVIEW_ROLES = (CityRole.Role.REVIEWER, CityRole.Role.PLANNER, CityRole.Role.ADMIN)


def review_cities(*, user) -> list[City]:
    """The cities where the user reviews proposals (`rules.can_open_review`), by name: one
    query."""
    if not user.is_authenticated:
        return []
    return list(City.objects.filter(roles__user=user, roles__role__in=REVIEW_ROLES)
                .distinct().order_by("name"))


def proposals_to_assess(*, user) -> list[dict]:
    """Per city where the user reviews (reviewer, planner or administrator): how many proposals
    of its consultations now in their review phase have no verdict yet (`to_assess`), and how
    many of those are assigned to the user (`assigned`). Two queries whatever the number of
    cities or proposals; nothing for anonymous visitors. For the header's "waiting for you"."""
    if not user.is_authenticated:
        return []
    cities = {city.pk: city for city in review_cities(user=user)}
    if not cities:
        return []
    now = timezone.now()
    pending = Q(assessment__isnull=True) | Q(assessment__verdict=ProposalAssessment.Verdict.PENDING)
    rows = (
        Proposal.objects.filter(
            consultation__city_id__in=list(cities), status__in=ASSESSABLE_STATUSES,
            consultation__proposals_close_at__lte=now, consultation__voting_opens_at__gt=now)
        .filter(pending)
        .values("consultation__city_id")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(assessment__reviewer=user)))
        .order_by()
    )
    counts = {row["consultation__city_id"]: (row["n"], row["mine"]) for row in rows}
    return [{"city": city, "to_assess": counts.get(pk, (0, 0))[0],
             "assigned": counts.get(pk, (0, 0))[1]} for pk, city in cities.items()]


# --- the census and verified residents ---------------------------------------------------------


@dataclass(frozen=True)
class CensusFacts:
    """What a resident needs to know of their city's census before verifying: whether there is
    one, and whether it asks for a birth date."""

    published: bool
    asks_birth_date: bool


def census_facts(*, city: City) -> CensusFacts:
    census = CensusEntry.objects.filter(city=city)
    published = census.exists()
    dated = published and census.filter(birth_date__isnull=False).exists()
    return CensusFacts(published=published, asks_birth_date=dated)


def verification_of(*, participant: Participant | None) -> Verification | None:
    if participant is None:
        return None
    return Verification.objects.select_related("city").filter(participant=participant).first()


# --- paper ballots ------------------------------------------------------------------------------


def paper_serials_counted(*, consultation: Consultation) -> QuerySet:
    """The serial numbers of the consultation's paper ballots (a subquery)."""
    return Ballot.objects.filter(consultation=consultation,
                                 channel=Ballot.Channel.PAPER).values("serial")


def _paper_unmatched(*, consultation: Consultation) -> QuerySet[PaperEntry]:
    """The clerks' entries of serials that are not a ballot yet."""
    return (PaperEntry.objects.filter(consultation=consultation, ballot__isnull=True)
            .exclude(serial__in=paper_serials_counted(consultation=consultation)))


def paper_progress(*, consultation: Consultation) -> dict[str, int]:
    """Where the entry of paper ballots stands: clerks' entries, paper ballots counted, serials
    waiting for a second entry and serials whose entries disagree (three queries)."""
    per_serial = (_paper_unmatched(consultation=consultation).order_by().values("serial")
                  .annotate(n=Count("pk")).values_list("n", flat=True))
    waiting = mismatches = 0
    for n in per_serial:
        if n == 1:
            waiting += 1
        else:
            mismatches += 1
    return {
        "entries": PaperEntry.objects.filter(consultation=consultation).count(),
        "ballots": paper_ballot_count(consultation=consultation),
        "waiting": waiting,
        "mismatches": mismatches,
    }


@dataclass(frozen=True)
class PaperEntryShown:
    """One clerk's entry as the mismatch review shows it: its choices as (proposal id, title,
    points), ordered as on the ballot; the identity as its kind and a short fingerprint of its
    hash (enough to see that two entries differ, nothing that reveals it)."""

    clerk: str
    entered_at: object
    choices: list[tuple[int, str, int]]
    identity_kind: str
    identity_mark: str


def paper_mismatches(*, consultation: Consultation) -> list[dict]:
    """The serials with two or more clerks' entries that disagree and no ballot yet, oldest
    first: {"serial", "entries": [PaperEntryShown]} (two queries, whatever their number)."""
    entries = list(
        _paper_unmatched(consultation=consultation).select_related("clerk")
        .order_by("serial", "entered_at", "pk"))
    by_serial: dict[str, list[PaperEntry]] = {}
    for entry in entries:
        by_serial.setdefault(entry.serial, []).append(entry)
    disputed = {serial: rows for serial, rows in by_serial.items() if len(rows) > 1}
    ids = {int(pid) for rows in disputed.values() for row in rows for pid in row.choices}
    # Instances, not values: the title follows the reading rule (core/i18n.py).
    titles = {proposal.pk: proposal.title for proposal in Proposal.objects.filter(
        consultation=consultation, pk__in=ids).select_related("consultation__city")}
    listed = [
        {"serial": serial, "first_at": rows[0].entered_at, "entries": [
            PaperEntryShown(
                clerk=row.clerk.get_username(), entered_at=row.entered_at,
                choices=[(int(pid), titles.get(int(pid), ""), points)
                         for pid, points in sorted(row.choices.items(), key=lambda c: int(c[0]))],
                identity_kind=row.identity_kind,
                identity_mark=row.identity_hash[:6].upper())
            for row in rows]}
        for serial, rows in disputed.items()
    ]
    return sorted(listed, key=lambda item: (item["first_at"], item["serial"]))
