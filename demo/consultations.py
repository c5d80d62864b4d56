"""Deterministic demo consultations: Mexico City's consultations with thousands of
participants, supports and ballots, Montevideo's open call for proposals, and one consultation
in every other city of the network (a few hundred residents each, in the city's language and
currency, each city in a different phase), on top of the network, logins and participants of
`demo.people`. The proposals' words are in `demo.texts`.

Seeding is idempotent: consultations that already exist are left alone. Randomness comes from one
seeded generator, so two runs on an empty database produce the same content (dates are relative
to the day of the run so that the open consultations are open).
"""
from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from tqdm import tqdm

from consult import services
from consult.models import (
    Ballot,
    BallotChoice,
    City,
    Consultation,
    CountingRule,
    Eligibility,
    Organisation,
    Participant,
    Proposal,
    ProposalYearCost,
    Support,
    VotingMethod,
)

from . import eligibility, paper, texts
from .people import SEED, seed_logins, seed_network, seed_participants
from .story import seed_citizen_ballot, seed_citizen_conversation

TITLES = texts.TITLES_CDMX

#: Proposals' costs are drawn as a whole number of these units of the city's currency: about
#: 2,500 US dollars in Mexico City (and Montevideo, as before), scaled to each currency.
COST_UNIT = {"MXN": 50_000, "UYU": 50_000, "ARS": 500_000, "BRL": 10_000, "USD": 2_000,
             "COP": 10_000_000, "PEN": 10_000}


@dataclass
class DemoSummary:
    created_consultations: list[str]
    logins: list[tuple[str, str]]
    #: Voting codes of the open climate vote issued by this run (printed once, then only
    #: their hashes exist).
    voting_codes: list[str] = dataclasses.field(default_factory=list)


def local_midnight(city: City, day_offset: int, hour: int = 0, minute: int = 0) -> datetime:
    today = timezone.now().astimezone(city.tzinfo).date()
    return datetime.combine(today + timedelta(days=day_offset), time(hour, minute), city.tzinfo)


def _receipt(rng: random.Random, used: set[str]) -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    while True:
        raw = "".join(rng.choice(alphabet) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if code not in used:
            used.add(code)
            return code


def seed_proposals(
    *, consultation: Consultation, authors: list[Participant], count_per_theme: int,
    rng: random.Random, status: str = Proposal.Status.PUBLISHED, first: int = 0,
) -> list[Proposal]:
    """Proposals of the city's residents (`authors`), titled from the city's list (from its
    `first` title on), each with its own summary and body in the consultation's language and
    a cost in the city's currency. Each was created and published inside the proposal phase,
    never after now. The words come from a generator of their own, so the costs, authors and
    votes follow `rng` alone."""
    city = consultation.city
    words = random.Random(f"{SEED}-{city.slug}-{consultation.slug}-texts")
    language = city.default_language
    themes = {theme.slug: theme for theme in consultation.themes.all()}
    organisations = list(Organisation.objects.filter(city=city))
    kinds = [kind.value for kind in Proposal.ActionKind]
    years = list(range(consultation.plan_start_year, consultation.plan_end_year + 1))
    unit = COST_UNIT.get(consultation.currency, 50_000)
    titled = [(slug, index, title) for slug, titles in texts.titles_for(city.slug).items()
              for index, title in enumerate(titles[first : first + count_per_theme])]
    moments = _proposal_moments(consultation, len(titled), words)
    proposals, year_costs = [], []
    for (theme_slug, index, title), published in zip(titled, moments, strict=True):
        cost = Decimal(rng.randrange(30, 360) * unit)
        author = rng.choice(authors)
        partners = texts.partners_for(language=language, city_name=city.name, title=title,
                                      rng=words)
        summary, body = texts.proposal_text(
            language=language, title=title, theme=theme_slug,
            district=author.district or city.name, partners=partners, rng=words)
        proposal = Proposal(
            consultation=consultation,
            author=author,
            organisation=rng.choice(organisations) if organisations and rng.random() < 0.4
            else None,
            theme=themes[theme_slug],
            title=title,
            summary=summary,
            body=body,
            estimated_cost=cost,
            partners=", ".join(partners),
            action_kind=kinds[(index + len(theme_slug)) % len(kinds)],
            district=author.district if words.random() < 0.3 else "",
            status=status,
            created_at=published,
            published_at=published,
        )
        proposals.append(proposal)
        if rng.random() < 0.6:  # the others are spread evenly by the planners' draft
            span = rng.sample(years, rng.randint(1, len(years)))
            shares = _split(cost, len(span))
            year_costs.extend(
                ProposalYearCost(proposal=proposal, year=year, amount=share)
                for year, share in zip(sorted(span), shares, strict=True)
            )
    Proposal.objects.bulk_create(proposals)
    ProposalYearCost.objects.bulk_create(year_costs)
    return proposals


def _proposal_moments(consultation: Consultation, n: int, rng: random.Random) -> list[datetime]:
    """`n` increasing moments inside the proposal phase and before today (an open call's
    proposals were all sent by yesterday, so that a run gives the same moments all day long):
    from a few hours after it opened to its close."""
    today = local_midnight(consultation.city, 0)
    start = consultation.proposals_open_at + timedelta(hours=6)
    stop = min(consultation.proposals_close_at, today) - timedelta(hours=1)
    if stop <= start:
        start = consultation.proposals_open_at
        stop = start + (min(consultation.proposals_close_at, today) - start) / 2
    span = (stop - start).total_seconds()
    return sorted(start + timedelta(seconds=int(rng.random() * span)) for _ in range(n))


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    share = (amount / parts).quantize(Decimal("1"))
    return [share] * (parts - 1) + [amount - share * (parts - 1)]


def seed_votes(
    *, consultation: Consultation, proposals: list[Proposal], participants: list[Participant],
    rng: random.Random, supports_per_person: tuple[int, int], turnout: float,
) -> None:
    """Supports and ballots with theme preferences, so that proportional rules matter."""
    popularity = {p.pk: rng.paretovariate(1.6) for p in proposals}
    by_theme: dict[int, list[Proposal]] = {}
    for proposal in proposals:
        by_theme.setdefault(proposal.theme_id, []).append(proposal)
    theme_ids = sorted(by_theme)
    theme_weights = [5, 3, 2][: len(theme_ids)]

    def pick(n: int, preferred: int) -> list[Proposal]:
        pool = by_theme[preferred] if rng.random() < 0.75 else proposals
        weights = [popularity[p.pk] for p in pool]
        chosen: dict[int, Proposal] = {}
        for _attempt in range(n * 4):
            if len(chosen) == n:
                break
            p = rng.choices(pool, weights)[0]
            chosen[p.pk] = p
        return list(chosen.values())

    supports, ballots, choice_lists = [], [], []
    used_codes = set(Ballot.objects.values_list("receipt_code", flat=True))
    support_time = consultation.proposals_open_at + timedelta(days=5)
    support_until = min(local_midnight(consultation.city, 0), consultation.voting_closes_at)
    voting_span = (consultation.voting_closes_at - consultation.voting_opens_at).total_seconds()
    now = timezone.now()
    for participant in tqdm(participants, desc=f"votes {consultation.slug}", unit="p", leave=False):
        preferred = rng.choices(theme_ids, theme_weights)[0]
        for proposal in pick(rng.randint(*supports_per_person), preferred):
            supports.append(Support(participant=participant, proposal=proposal,
                                    created_at=min(max(support_time, proposal.published_at),
                                                   support_until)))
        if rng.random() >= turnout:
            continue
        cast = consultation.voting_opens_at + timedelta(seconds=rng.random() * voting_span * 0.98)
        if cast > now:
            continue
        ballots.append(Ballot(participant=participant, consultation=consultation,
                              receipt_code=_receipt(rng, used_codes), created_at=cast,
                              updated_at=cast))
        choice_lists.append(_ballot_choices(consultation, pick, preferred, rng))
    Support.objects.bulk_create(supports, batch_size=2000, ignore_conflicts=True)
    services.support_counts_reconcile(city=consultation.city, fix=True)  # bulk: no signals
    Ballot.objects.bulk_create(ballots, batch_size=1000)
    BallotChoice.objects.bulk_create(
        (
            BallotChoice(ballot=ballot, proposal=proposal, points=points)
            for ballot, chosen in zip(ballots, choice_lists, strict=True)
            for proposal, points in chosen
        ),
        batch_size=2000,
    )


def _ballot_choices(consultation, pick, preferred, rng) -> list[tuple[Proposal, int]]:
    if consultation.voting_method == VotingMethod.APPROVAL:
        return [(p, 1) for p in pick(rng.randint(1, consultation.max_choices), preferred)]
    if consultation.voting_method == VotingMethod.KNAPSACK:
        chosen, spent = [], Decimal(0)
        for proposal in pick(8, preferred):
            if spent + proposal.estimated_cost <= consultation.budget:
                chosen.append((proposal, 1))
                spent += proposal.estimated_cost
        return chosen
    points_left, chosen = consultation.max_points, []
    for proposal in pick(4, preferred):
        if points_left <= 0:
            break
        points = rng.randint(1, points_left)
        chosen.append((proposal, points))
        points_left -= points
    return chosen


def seed_review(*, consultation: Consultation, proposals: list[Proposal]) -> None:
    """A review under way: the city's administrator assigns the first half of the proposals to
    the reviewer, who has assessed four of them: three feasible at a validated cost that differs
    from the estimate (one split over the plan years), one not feasible. The others wait."""
    users = get_user_model().objects
    reviewer, admin = users.get(username="revisora"), users.get(username="admin-cdmx")
    ordered = sorted(proposals, key=lambda p: p.pk)
    services.assessment_assign(user=admin, consultation=consultation,
                               proposal_ids=[p.pk for p in ordered[: len(ordered) // 2]],
                               reviewer=reviewer)
    years = list(range(consultation.plan_start_year, consultation.plan_end_year + 1))
    for proposal, factor, reason in (
        (ordered[0], Decimal("1.2"), "Los pasajes y la sede cuestan más de lo estimado."),
        (ordered[1], Decimal("0.8"), "Una ciudad socia cubre la mitad de los viajes."),
        (ordered[2], Decimal("1.1"), "Se suma la traducción de los materiales."),
    ):
        cost = (proposal.estimated_cost * factor).quantize(Decimal("1"))
        split = dict(zip(years, _split(cost, len(years)), strict=True)) \
            if proposal is ordered[1] else {}
        services.assessment_save(
            user=reviewer, proposal=proposal, verdict="feasible", validated_cost=cost,
            cost_reason=reason, year_costs=split,
            notes="Pedir cotizaciones a dos proveedores antes de la votación.")
    services.assessment_save(
        user=reviewer, proposal=ordered[3], verdict="not_feasible",
        reason="La ciudad no tiene competencia sobre esta materia: corresponde al gobierno "
               "federal.", notes="Sugerir a la autora una versión municipal.")


@transaction.atomic
def seed_demo(*, participants: int = 5000) -> DemoSummary:
    cities = seed_network()
    logins = seed_logins(cities)
    cdmx = cities["ciudad-de-mexico"]
    people = seed_participants(city=cdmx, count=participants,
                               rng=random.Random(f"{SEED}-participants"))
    created = []

    def share(start: float, stop: float) -> list[Participant]:
        """A slice of the participants by fraction, never empty."""
        low = int(len(people) * start)
        return people[low : max(low + 1, int(len(people) * stop))]

    rng = random.Random(SEED)

    def make(slug: str, **fields) -> Consultation | None:
        if Consultation.objects.filter(city=fields["city"], slug=slug).exists():
            return None
        created.append(slug)
        nonlocal rng
        rng = random.Random(f"{SEED}-{slug}")  # each consultation reproducible on its own
        return services.consultation_create(slug=slug, **fields)

    main = make(
        "estrategia-internacional-2027-2030",
        city=cdmx,
        title="Estrategia internacional de la Ciudad de México 2027–2030",
        description=(
            "¿Cómo debe relacionarse la ciudad con el mundo en los próximos cuatro años? "
            "Propón acciones de cooperación, promoción y agenda global en los tres ejes de la "
            "red: sostenibilidad urbana, ciudades inclusivas y ciudades atractivas."
        ),
        plan_start_year=2027, plan_end_year=2030,
        budget=Decimal("120000000"),
        proposals_open_at=local_midnight(cdmx, -120),
        proposals_close_at=local_midnight(cdmx, -76, 23, 59),
        voting_opens_at=local_midnight(cdmx, -60),
        voting_closes_at=local_midnight(cdmx, -31, 23, 59),
        results_at=local_midnight(cdmx, -25, 12),
        voting_method=VotingMethod.APPROVAL, max_choices=5,
        counting_rule=CountingRule.MES_ADD1, min_supports=50,
        eligibility=Eligibility.VERIFIED,
    )
    if main:
        proposals = seed_proposals(consultation=main, authors=share(0, 0.08), count_per_theme=20,
                                   rng=rng)
        verified = [person for person in people if person.is_verified]
        seed_votes(consultation=main, proposals=proposals, participants=verified, rng=rng,
                   supports_per_person=(2, 8), turnout=0.85)
        seed_citizen_ballot(consultation=main, proposals=proposals, receipt_code=_receipt(
            rng, set(Ballot.objects.values_list("receipt_code", flat=True))))

    past = make(
        "estrategia-internacional-2023-2026",
        city=cdmx,
        title="Estrategia internacional 2023–2026",
        description="La consulta anterior: sus resultados dieron forma al plan vigente.",
        plan_start_year=2023, plan_end_year=2026,
        budget=Decimal("60000000"),
        proposals_open_at=datetime(2022, 3, 1, 0, 0, tzinfo=cdmx.tzinfo),
        proposals_close_at=datetime(2022, 4, 15, 23, 59, tzinfo=cdmx.tzinfo),
        voting_opens_at=datetime(2022, 5, 2, 9, 0, tzinfo=cdmx.tzinfo),
        voting_closes_at=datetime(2022, 5, 31, 23, 59, tzinfo=cdmx.tzinfo),
        results_at=datetime(2022, 6, 10, 12, 0, tzinfo=cdmx.tzinfo),
        voting_method=VotingMethod.APPROVAL, max_choices=3,
        counting_rule=CountingRule.GREEDY, min_supports=10,
    )
    if past:
        proposals = seed_proposals(consultation=past, authors=share(0.08, 0.14),
                                   count_per_theme=8, rng=rng)
        seed_votes(consultation=past, proposals=proposals, participants=share(0, 0.3), rng=rng,
                   supports_per_person=(1, 4), turnout=0.7)

    open_vote = make(
        "agenda-climatica-internacional-2027",
        city=cdmx,
        title="Agenda climática internacional 2027–2028",
        description="Vota, dentro del presupuesto, las acciones climáticas con ciudades socias.",
        plan_start_year=2027, plan_end_year=2028,
        budget=Decimal("30000000"),
        proposals_open_at=local_midnight(cdmx, -45),
        proposals_close_at=local_midnight(cdmx, -21, 23, 59),
        voting_opens_at=local_midnight(cdmx, -7),
        voting_closes_at=local_midnight(cdmx, 14, 23, 59),
        results_at=local_midnight(cdmx, 21, 12),
        voting_method=VotingMethod.KNAPSACK,
        counting_rule=CountingRule.MES_GREEDY, min_supports=0,
        eligibility=Eligibility.VERIFIED_OR_CODE,
    )
    if open_vote:
        proposals = seed_proposals(consultation=open_vote, authors=share(0.14, 0.18),
                                   count_per_theme=5, rng=rng)
        seed_votes(consultation=open_vote, proposals=proposals, participants=share(0, 0.12),
                   rng=rng, supports_per_person=(1, 3), turnout=0.5)
        seed_citizen_conversation(consultation=open_vote, proposals=proposals,
                                  neighbours=share(0, 0.01), rng=rng)

    in_review = make(
        "ciudades-hermanas-2027-2028",
        city=cdmx,
        title="Ciudades hermanas 2027–2028",
        description="La ciudad revisa la viabilidad y el costo de cada propuesta antes de la "
                    "votación: solo las viables llegan a la boleta, a su costo validado.",
        plan_start_year=2027, plan_end_year=2028,
        budget=Decimal("25000000"),
        proposals_open_at=local_midnight(cdmx, -40),
        proposals_close_at=local_midnight(cdmx, -6, 23, 59),
        voting_opens_at=local_midnight(cdmx, 10),
        voting_closes_at=local_midnight(cdmx, 30, 23, 59),
        results_at=local_midnight(cdmx, 35, 12),
        voting_method=VotingMethod.APPROVAL, max_choices=3,
        counting_rule=CountingRule.MES, min_supports=0, requires_assessment=True,
    )
    if in_review:
        proposals = seed_proposals(consultation=in_review, authors=share(0.18, 0.2),
                                   count_per_theme=3, rng=rng)
        seed_votes(consultation=in_review, proposals=proposals, participants=share(0.2, 0.3),
                   rng=rng, supports_per_person=(1, 3), turnout=0)
        seed_review(consultation=in_review, proposals=proposals)

    montevideo = cities["montevideo"]
    open_proposals = make(
        "montevideo-ciudad-abierta-2027-2030",
        city=montevideo,
        title="Montevideo, ciudad abierta al mundo 2027–2030",
        description="Presentá y apoyá propuestas para la estrategia internacional de Montevideo.",
        plan_start_year=2027, plan_end_year=2030,
        budget=Decimal("80000000"),
        proposals_open_at=local_midnight(montevideo, -5),
        proposals_close_at=local_midnight(montevideo, 25, 23, 59),
        voting_opens_at=local_midnight(montevideo, 35),
        voting_closes_at=local_midnight(montevideo, 50, 23, 59),
        results_at=local_midnight(montevideo, 55, 12),
        voting_method=VotingMethod.CUMULATIVE, max_points=10,
        counting_rule=CountingRule.GREEDY, min_supports=5,
        # for Montevideo's residents only (those who declared it their city)
        proposing_eligibility=Eligibility.RESIDENTS, supporting_eligibility=Eligibility.RESIDENTS,
        eligibility=Eligibility.RESIDENTS,
    )
    if open_proposals:
        residents = city_people(montevideo)
        # The titles after the four of its closed consultation (`demo.plans`).
        proposals = seed_proposals(consultation=open_proposals, authors=residents[20:40],
                                   count_per_theme=2, rng=rng, first=4)
        seed_votes(consultation=open_proposals, proposals=proposals, participants=residents[:60],
                   rng=rng, supports_per_person=(1, 2), turnout=0)

    for spec in CITY_CONSULTATIONS:
        city = cities[spec.city]
        days = spec.days
        with translation.override(city.default_language):  # its texts are in its language
            consultation = make(
                spec.slug, city=city, title=spec.title, description=spec.description,
                plan_start_year=spec.years[0], plan_end_year=spec.years[1],
                budget=Decimal(spec.budget),
                proposals_open_at=local_midnight(city, days[0]),
                proposals_close_at=local_midnight(city, days[1], 23, 59),
                voting_opens_at=local_midnight(city, days[2]),
                voting_closes_at=local_midnight(city, days[3], 23, 59),
                results_at=local_midnight(city, days[4], 12),
                **spec.rules,
            )
            if consultation:
                residents = city_people(city)
                proposals = seed_proposals(consultation=consultation, authors=residents[:25],
                                           count_per_theme=4, rng=rng)
                seed_votes(consultation=consultation, proposals=proposals,
                           participants=residents, rng=rng, supports_per_person=(1, 3),
                           turnout=spec.turnout)
    eligibility.seed_census(cdmx)
    lima = cities["lima"]
    paper.seed_paper_ballots(
        Consultation.objects.get(city=lima, slug="lima-ciudad-abierta-2027-2028"),
        clerks=tuple(get_user_model().objects.get(username=name)
                     for name in ("escrutadora-lima", "escrutador-lima")))
    climate = Consultation.objects.get(city=cdmx, slug="agenda-climatica-internacional-2027")
    return DemoSummary(created_consultations=created, logins=logins,
                       voting_codes=eligibility.seed_voting_codes(climate))


@dataclass(frozen=True)
class CityConsultation:
    """One consultation of a city of the network, in its language and currency, with dates in
    days from today (proposals open, close; voting opens, closes; results), so that each city
    shows a different phase."""

    city: str
    slug: str
    title: str
    description: str
    years: tuple[int, int]
    budget: str
    days: tuple[int, int, int, int, int]
    rules: dict
    participants: int
    turnout: float


#: The network's other cities, each in a phase of its own: Morón collects proposals, Quito
#: prepares its ballot (review), Belo Horizonte votes (in Portuguese), Lima counts and
#: Medellín's results are out (counted and published by `demo.plans.seed_results`).
CITY_CONSULTATIONS = [
    CityConsultation(
        city="moron", slug="moron-en-el-mundo-2027-2029", title="Morón en el mundo 2027–2029",
        description="Presentá y apoyá ideas para que Morón coopere con otras ciudades: "
                    "ambiente, inclusión y promoción de la ciudad.",
        years=(2027, 2029), budget="450000000", days=(-12, 18, 28, 42, 46),
        rules={"voting_method": VotingMethod.APPROVAL, "max_choices": 3,
               "counting_rule": CountingRule.GREEDY, "min_supports": 3},
        participants=200, turnout=0,
    ),
    CityConsultation(
        city="quito", slug="quito-ciudad-del-mundo-2027-2028",
        title="Quito, ciudad del mundo 2027–2028",
        description="Las propuestas ciudadanas ya cerraron: el Municipio prepara la papeleta "
                    "y la votación abre en unos días.",
        years=(2027, 2028), budget="1800000", days=(-45, -3, 12, 30, 35),
        rules={"voting_method": VotingMethod.CUMULATIVE, "max_points": 10,
               "counting_rule": CountingRule.MES, "min_supports": 2},
        participants=250, turnout=0,
    ),
    CityConsultation(
        city="belo-horizonte", slug="bh-no-mundo-2027-2028",
        title="Belo Horizonte no mundo: cooperação internacional 2027–2028",
        description="Vote nas propostas dos moradores para a estratégia internacional da "
                    "cidade: sustentabilidade urbana, cidades inclusivas e cidades atrativas.",
        years=(2027, 2028), budget="9000000", days=(-50, -20, -6, 12, 18),
        rules={"voting_method": VotingMethod.APPROVAL, "max_choices": 3,
               "counting_rule": CountingRule.MES, "min_supports": 5},
        participants=400, turnout=0.45,
    ),
    CityConsultation(
        city="lima", slug="lima-ciudad-abierta-2027-2028", title="Lima, ciudad abierta 2027–2028",
        description="La votación cerró: los resultados se publican en unos días, después del "
                    "conteo oficial.",
        years=(2027, 2028), budget="9000000", days=(-80, -50, -35, -3, 4),
        rules={"voting_method": VotingMethod.KNAPSACK,
               "counting_rule": CountingRule.MES_GREEDY, "min_supports": 0},
        participants=300, turnout=0.55,
    ),
    CityConsultation(
        city="medellin", slug="medellin-internacional-2027-2030",
        title="Medellín internacional 2027–2030",
        description="La ciudadanía votó las acciones de cooperación e internacionalización de "
                    "Medellín: conozca los resultados.",
        years=(2027, 2030), budget="9000000000", days=(-150, -110, -95, -70, -63),
        rules={"voting_method": VotingMethod.APPROVAL, "max_choices": 3,
               "counting_rule": CountingRule.MES, "min_supports": 3},
        participants=400, turnout=0.6,
    ),
]

#: Montevideo's residents (its closed consultation in `demo.plans` takes them too).
MONTEVIDEO_PARTICIPANTS = 300
PARTICIPANTS = {spec.city: spec.participants for spec in CITY_CONSULTATIONS} | {
    "montevideo": MONTEVIDEO_PARTICIPANTS}


def city_people(city: City) -> list[Participant]:
    """The city's demo residents, created on first use from a generator of the city's own."""
    return seed_participants(city=city, count=PARTICIPANTS[city.slug],
                             rng=random.Random(f"{SEED}-participants-{city.slug}"))
