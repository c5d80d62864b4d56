"""Demo plans, seeded after demo.consultations.seed_demo (`seed_plans` runs after `seed_demo`).

- Mexico City, "estrategia-internacional-2027-2030": drafted from the official count, submitted,
  returned once by the council's vote (two of its three members voted to return, with their
  reasons), fixed, resubmitted and approved by a recorded majority (2 approve, 1 abstain; public
  with each member's vote).
- Montevideo: a small closed consultation ("prioridades-internacionales-2027-2028") with its
  own participants and ballots, counted, and a plan submitted to its two-member council, which
  awaits the council's decision: one member has voted.

- Every other consultation past its results date (Medellín's, Mexico City's 2023–2026) is
  counted by a planner of its city and its results published (`seed_results`); Medellín's
  planner has then drafted a plan from its count, still a draft (`seed_medellin_draft`).

Their results are published (`planning.services.results_publish`) once the results date has
passed. The first action of each plan names, as partner cities, the network's cities and
partners (Cités Unies France, FAMSI, ...) that its proposals named. Idempotent: a consultation
that already has a plan, or published results, is left alone. The Mexico City count uses the
rule "mes" when no official count exists yet: the consultation's own rule, "mes-add1",
takes about 40 s on the demo ballots with today's engine (same ballots, fewer rounds).
"""
from __future__ import annotations

import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from consult import services as consult_services
from consult.models import (
    City,
    CityRole,
    Consultation,
    CountingRule,
    Participant,
    Phase,
    VotingMethod,
)
from planning import selectors, services
from planning.models import ResultsPublication, StrategyPlan

from .consultations import city_people, local_midnight, seed_proposals, seed_votes
from .people import DEMO_PASSWORD, SEED
from .story import seed_citizen_progress

DEMO_RULE = CountingRule.MES
MONTEVIDEO_SLUG = "prioridades-internacionales-2027-2028"

#: The names proposals give their partners (demo.texts), and the network's cities and partner
#: networks they stand for, in a plan action's partner cities.
PARTNER_CITIES = {
    "Ciudad de México": "ciudad-de-mexico", "Cidade do México": "ciudad-de-mexico",
    "Montevideo": "montevideo", "Montevidéu": "montevideo", "Morón": "moron",
    "Belo Horizonte": "belo-horizonte", "Quito": "quito", "Medellín": "medellin", "Lima": "lima",
    "Eurocities": "eurocities", "PLATFORMA": "platforma",
    "Cités Unies France": "cites-unies-france", "FAMSI": "famsi",
}

#: Who counts a consultation past its results date, where the city has no planner yet.
RESULTS_PLANNERS = {"medellin": "planificadora-medellin"}


def _user(username: str, *, city: City, role: str | None = None):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@demo.cabildo.example"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        Participant.objects.get_or_create(user=user, defaults={"city": city, "is_verified": True})
    if role:
        CityRole.objects.get_or_create(user=user, city=city, role=role)
    return user


def _official_run(consultation: Consultation, planner, rule: str | None = DEMO_RULE):
    """The official count (counted now if there is none) and, once the results date has
    passed, the results published: publishing is a planner's step of its own."""
    run = services.count_run_official_for(consultation=consultation, user=planner, rule=rule)
    if consultation.phase == Phase.RESULTS and not ResultsPublication.objects.filter(
            consultation=consultation).exists():
        services.results_publish(consultation=consultation, user=planner)
    return run


def _complete_indicators(plan: StrategyPlan, planner, *, how_many: int) -> None:
    """Fill baselines and targets of the first indicators, as planners would."""
    for n, indicator in enumerate(plan.indicators.select_related("action")
                                  .order_by("action__rank")[:how_many]):
        services.indicator_update(
            indicator=indicator, user=planner,
            title=f"Personas participantes: {indicator.action.title}"[:200],
            unit_label="personas", baseline_year=plan.start_year - 1,
            baseline_value=Decimal(0),
            means_of_verification="Listas de asistencia e informe anual publicado.",
            assumptions="Las ciudades socias mantienen su compromiso.",
            targets={year: Decimal(50 * (i + 1) + 10 * n) for i, year in enumerate(plan.years)},
        )


def seed_mexico_city_plan() -> StrategyPlan | None:
    consultation = Consultation.objects.select_related("city").filter(
        city__slug="ciudad-de-mexico", slug="estrategia-internacional-2027-2030"
    ).first()
    if consultation is None or consultation.plans.exists():
        return None
    city = consultation.city
    planner = _user("planificador", city=city, role=CityRole.Role.PLANNER)
    council = _user("concejal", city=city, role=CityRole.Role.COUNCIL)
    concejala = _user("concejala", city=city, role=CityRole.Role.COUNCIL)
    norte = _user("concejal-norte", city=city, role=CityRole.Role.COUNCIL)
    run = _official_run(consultation, planner)
    per_year = (consultation.budget / (consultation.plan_end_year - consultation.plan_start_year
                                       + 1)).quantize(Decimal("1"))
    plan, _conflicts = services.plan_draft_from_count(
        count_run=run, user=planner,
        title="Plan de acción internacional de la Ciudad de México 2027–2030",
        ceilings={year: per_year for year in range(consultation.plan_start_year,
                                                   consultation.plan_end_year + 1)},
    )
    services.plan_update(
        plan=plan, user=planner, title=plan.title,
        description="Plan elaborado a partir de la consulta ciudadana 2027–2030: cada acción "
                    "proviene de propuestas seleccionadas por el voto.",
        envelope=plan.envelope,
    )
    first = plan.actions.order_by("rank").first()
    services.action_update(action=first, user=planner,
                           department="Coordinación General de Asuntos Internacionales",
                           partner_cities=_partner_cities(first.partners))
    _complete_indicators(plan, planner, how_many=3)
    _submit(plan, planner, note="Primera versión para el Cabildo.")
    services.plan_comment_create(
        plan=plan, user=council, action=first,
        body="La primera anualidad concentra demasiado gasto; repártanlo en más años y "
             "completen los indicadores.",
    )
    # The city's default council rule: a simple majority of the votes cast, with a quorum of
    # more than half of the members. Two returns of three members settle it.
    services.plan_vote_cast(
        plan=plan, user=council, vote="return",
        comment="Repartir el gasto de la primera acción y completar indicadores.",
    )
    services.plan_vote_cast(plan=plan, user=concejala, vote="return",
                            comment="Faltan metas en los indicadores.")
    line = first.budget_lines.order_by("-amount").first()
    if line is not None and line.year < plan.end_year:
        moved = (line.amount / 2).quantize(Decimal("0.01"))
        services.budget_line_update(line=line, user=planner, amount=line.amount - moved)
        later = first.budget_lines.filter(year=plan.end_year, source=line.source,
                                          type=line.type).first()
        if later:
            services.budget_line_update(line=later, user=planner, amount=later.amount + moved)
        else:
            services.budget_line_create(action=first, user=planner, year=plan.end_year,
                                        amount=moved)
    _complete_indicators(plan, planner, how_many=6)
    _submit(plan, planner, note="Gasto repartido, indicadores completos.")
    _approve(plan, council, comment="El gasto está mejor repartido.")
    services.plan_vote_cast(plan=plan, user=norte, vote="abstain",
                            comment="Me abstengo: participé en una de las propuestas.")
    _approve(plan, concejala, comment="Aprobado por el Cabildo.")
    seed_citizen_progress(plan=plan, planner=planner)
    return plan


def seed_montevideo_plan() -> StrategyPlan | None:
    city = City.objects.filter(slug="montevideo").first()
    if city is None:
        return None
    consultation = Consultation.objects.filter(city=city, slug=MONTEVIDEO_SLUG).first()
    if consultation is not None and consultation.plans.exists():
        return None
    planner = _user("planificador-montevideo", city=city, role=CityRole.Role.PLANNER)
    concejala = _user("concejala-montevideo", city=city, role=CityRole.Role.COUNCIL)
    _user("concejal-montevideo", city=city, role=CityRole.Role.COUNCIL)
    rng = random.Random(f"{SEED}-{MONTEVIDEO_SLUG}")
    if consultation is None:
        at = local_midnight
        consultation = consult_services.consultation_create(
            city=city, slug=MONTEVIDEO_SLUG,
            title="Prioridades internacionales de Montevideo 2027–2028",
            description="Consulta breve para priorizar la cooperación internacional.",
            plan_start_year=2027, plan_end_year=2028, budget=Decimal("20000000"),
            proposals_open_at=at(city, -90), proposals_close_at=at(city, -60, 23, 59),
            voting_opens_at=at(city, -50), voting_closes_at=at(city, -36, 23, 59),
            results_at=at(city, -30, 12),
            voting_method=VotingMethod.APPROVAL, max_choices=3,
            counting_rule=CountingRule.GREEDY, min_supports=0,
        )
        people = city_people(city)
        proposals = seed_proposals(consultation=consultation, authors=people[:20],
                                   count_per_theme=4, rng=rng)
        seed_votes(consultation=consultation, proposals=proposals, participants=people, rng=rng,
                   supports_per_person=(1, 3), turnout=0.7)
    run = _official_run(consultation, planner, rule=None)
    plan, _conflicts = services.plan_draft_from_count(
        count_run=run, user=planner, title="Montevideo en el mundo 2027–2028",
        ceilings={2027: Decimal("8000000"), 2028: Decimal("12000000")},
    )
    first = plan.actions.order_by("rank").first()
    services.action_update(action=first, user=planner,
                           partner_cities=_partner_cities(first.partners))
    _submit(plan, planner, note="Para la revisión del concejo.")
    # One of the two members has voted: 1 approval could still be tied, so it waits.
    _approve(plan, concejala, comment="De acuerdo con las prioridades votadas.")
    return plan


def _submit(plan: StrategyPlan, planner, *, note: str):
    """Submit for review; when the checks find errors (a ceiling the drafting could not keep),
    the planners override them with their reason, as they would on the web."""
    errors = any(check.severity == "error" for check in selectors.plan_checks(plan))
    return services.plan_submit(
        plan=plan, user=planner, note=note, override_checks=errors,
        override_reason="Los techos anuales se revisan con el presupuesto del próximo año."
        if errors else "")


def _partner_cities(partners: str) -> list[City]:
    slugs = {PARTNER_CITIES[name.strip()] for name in partners.split(",")
             if name.strip() in PARTNER_CITIES}
    return list(City.objects.filter(slug__in=slugs).order_by("slug"))


def seed_results() -> list[Consultation]:
    """Count and publish every consultation past its results date whose results are not out
    yet (the plans' own consultations are counted by their seeding), by a planner of its city;
    returns those published by this call."""
    published = []
    for consultation in (Consultation.objects.select_related("city")
                         .filter(results_at__lte=timezone.now(), results_publication=None)
                         .order_by("city__slug", "slug")):
        city = consultation.city
        planner = (CityRole.objects.filter(city=city, role=CityRole.Role.PLANNER)
                   .select_related("user").order_by("pk").first())
        planner = planner.user if planner else _user(
            RESULTS_PLANNERS.get(city.slug, f"planificador-{city.slug}"), city=city,
            role=CityRole.Role.PLANNER)
        _official_run(consultation, planner, rule=None)
        published.append(consultation)
    return published


@transaction.atomic
def seed_plans() -> list[StrategyPlan]:
    """Seed the demo plans, then publish the results of the consultations past their date;
    returns the plans created by this call (none when already there)."""
    plans = [plan for plan in (seed_mexico_city_plan(), seed_montevideo_plan()) if plan]
    seed_results()
    medellin = seed_medellin_draft()
    return plans + ([medellin] if medellin else [])


def seed_medellin_draft() -> StrategyPlan | None:
    """Medellín's planner has started a plan from its published results and is still editing
    it: a draft, with its forms and checks open (nobody else sees it)."""
    consultation = (Consultation.objects.select_related("city")
                    .filter(city__slug="medellin", results_publication__isnull=False)
                    .order_by("-results_at").first())
    if consultation is None or consultation.plans.exists():
        return None
    planner = _user(RESULTS_PLANNERS["medellin"], city=consultation.city,
                    role=CityRole.Role.PLANNER)
    run = services.count_run_official_for(consultation=consultation, user=planner, rule=None)
    plan, _conflicts = services.plan_draft_from_count(
        count_run=run, user=planner,
        title=f"Medellín en el mundo {consultation.plan_start_year}–"
              f"{consultation.plan_end_year}")
    return plan


def _approve(plan: StrategyPlan, member, *, comment: str):
    """An approve vote; on a version whose checks found errors the member overrides them, with
    a reason (public, like the vote)."""
    errors = plan.versions.order_by("-number").first().has_check_errors
    return services.plan_vote_cast(
        plan=plan, user=member, vote="approve", comment=comment, override_checks=errors,
        override_reason="El exceso sobre el techo anual se cubre con la revisión del "
        "presupuesto." if errors else "")
