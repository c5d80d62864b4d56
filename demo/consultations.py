"""Deterministic demo consultations: Mexico City's consultations with thousands of
participants, supports and ballots, and Montevideo's open call for proposals, on top of the
network, logins and participants of `demo.people`.

Seeding is idempotent: consultations that already exist are left alone. Randomness comes from one
seeded generator, so two runs on an empty database produce the same content (dates are relative
to the day of the run so that the open consultations are open).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
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

from .people import DISTRICTS_CDMX, SEED, seed_logins, seed_network, seed_participants
from .story import seed_citizen_ballot, seed_citizen_conversation

# Proposal titles for the 2027–2030 international strategy, per theme.
TITLES = {
    "urban-sustainability": [
        "Hermanamiento climático con Montevideo para techos verdes",
        "Red latinoamericana de ciudades esponja contra inundaciones",
        "Intercambio técnico sobre movilidad eléctrica con Medellín",
        "Alianza C40 para calidad del aire en corredores escolares",
        "Laboratorio binacional de economía circular con Lyon",
        "Cooperación con Quito en gestión del riesgo sísmico",
        "Financiamiento verde: ventanilla de bonos climáticos municipales",
        "Programa de reforestación urbana con ciudades de la red",
        "Cuenca de México: diplomacia del agua con ciudades andinas",
        "Observatorio metropolitano de emisiones compartido con Lima",
        "Capacitación en presupuestos climáticos con Eurocities",
        "Transición energética de edificios públicos con apoyo europeo",
        "Mercados de productores locales en la agenda de Milán",
        "Protocolo común de olas de calor para la red de ciudades",
        "Corredores biológicos urbanos: intercambio con Belo Horizonte",
        "Gestión de residuos orgánicos: pasantías en ciudades europeas",
        "Movilidad ciclista: cooperación técnica con Bogotá y Ámsterdam",
        "Plan de adaptación de mercados públicos al cambio climático",
        "Foro internacional de ríos urbanos recuperados",
        "Red de monitoreo ciudadano del agua con universidades socias",
    ],
    "inclusive-cities": [
        "Ventanilla única para personas migrantes y refugiadas",
        "Intercambio sobre cuidados comunitarios con Montevideo",
        "Red de ciudades santuario: protocolo de acogida",
        "Becas de movilidad para jóvenes de alcaldías periféricas",
        "Programa de ciudades seguras para mujeres con ONU-Hábitat",
        "Accesibilidad universal del transporte: asesoría de Barcelona",
        "Vivienda asequible: cooperativas con Uruguay",
        "Formación de liderazgos indígenas en foros internacionales",
        "Escuelas de idiomas gratuitas para personas retornadas",
        "Presupuesto participativo joven con ciudades hermanas",
        "Atlas de desigualdades urbanas con datos abiertos comparables",
        "Red de bibliotecas comunitarias con intercambio de acervos",
        "Salud mental comunitaria: aprendizaje con ciudades europeas",
        "Inclusión digital de personas mayores con Morón",
        "Centros comunitarios para la niñez en zonas de frontera urbana",
        "Derecho a la ciudad: observatorio con la red latinoamericana",
        "Protocolo de atención a personas en situación de calle",
        "Economía social: ferias internacionales de cooperativas",
        "Acogida de estudiantes desplazados por crisis climáticas",
        "Traducción en lenguas indígenas de los servicios municipales",
    ],
    "attractive-cities": [
        "Marca ciudad en ferias internacionales de turismo cultural",
        "Festival iberoamericano de cine en espacios públicos",
        "Oficina de atracción de congresos y convenciones",
        "Residencias artísticas con Belo Horizonte y Quito",
        "Ruta gastronómica patrimonial con ciudades creativas UNESCO",
        "Programa de ciudades hermanas para pequeñas empresas",
        "Centro Histórico: cooperación en gestión de patrimonio",
        "Semana de la innovación con Medellín y Ruta N",
        "Atracción de talento científico con universidades europeas",
        "Corredor cultural latinoamericano de museos comunitarios",
        "Promoción del artesanado en mercados de Europa",
        "Red de destinos deportivos: sede de juegos juveniles",
        "Presencia de la ciudad en la Cumbre de Ciudades y Gobiernos Locales",
        "Plataforma de datos turísticos compartida con la red",
        "Muralismo mexicano en ciudades socias",
        "Intercambio de guías turísticos comunitarios",
        "Ciudad sede de la asamblea anual de la red",
        "Alianza de ciudades del libro y ferias editoriales",
        "Programa de nómadas digitales con impacto local",
        "Coproducciones musicales con Montevideo y Lisboa",
    ],
}

SUMMARY = (
    "Propuesta para la estrategia internacional de la ciudad: {title_lower}. Reúne a "
    "organizaciones de la sociedad civil, universidades y ciudades socias."
)
BODY = """## ¿Qué proponemos?

{title}. La acción se desarrolla con las ciudades y redes socias ({partners}) y deja
capacidades instaladas en la administración municipal.

## Resultados esperados

- Un acuerdo de cooperación firmado y un plan de trabajo anual.
- Personas de la ciudad formadas o participando en intercambios.
- Informe público de resultados al cierre de cada año.
"""

PARTNERS = [
    "Montevideo", "Medellín", "Quito", "Lima", "Belo Horizonte", "Morón", "Eurocities",
    "PLATFORMA", "ONU-Hábitat", "C40", "Mercociudades", "CGLU", "Barcelona", "Lyon", "Lisboa",
]


@dataclass
class DemoSummary:
    created_consultations: list[str]
    logins: list[tuple[str, str]]


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
    rng: random.Random, status: str = Proposal.Status.PUBLISHED,
) -> list[Proposal]:
    """Proposals with plausible Spanish titles and costs in the city's currency."""
    themes = {theme.slug: theme for theme in consultation.themes.all()}
    organisations = list(Organisation.objects.filter(city=consultation.city))
    kinds = [kind.value for kind in Proposal.ActionKind]
    years = list(range(consultation.plan_start_year, consultation.plan_end_year + 1))
    proposals, year_costs = [], []
    published = consultation.proposals_open_at + timedelta(days=3)
    for theme_slug, titles in TITLES.items():
        for index, title in enumerate(titles[:count_per_theme]):
            cost = Decimal(rng.randrange(30, 360) * 50_000)
            partners = ", ".join(rng.sample(PARTNERS, 2))
            proposal = Proposal(
                consultation=consultation,
                author=rng.choice(authors),
                organisation=rng.choice(organisations) if rng.random() < 0.4 else None,
                theme=themes[theme_slug],
                title=title,
                summary=SUMMARY.format(title_lower=title[0].lower() + title[1:]),
                body=BODY.format(title=title, partners=partners),
                estimated_cost=cost,
                partners=partners,
                action_kind=kinds[(index + len(theme_slug)) % len(kinds)],
                district=(
                    rng.choice(DISTRICTS_CDMX)
                    if consultation.city.slug == "ciudad-de-mexico" and rng.random() < 0.3
                    else ""
                ),
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
            published += timedelta(hours=rng.randint(1, 30))
    Proposal.objects.bulk_create(proposals)
    ProposalYearCost.objects.bulk_create(year_costs)
    return proposals


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
    voting_span = (consultation.voting_closes_at - consultation.voting_opens_at).total_seconds()
    now = timezone.now()
    for participant in tqdm(participants, desc=f"votes {consultation.slug}", unit="p", leave=False):
        preferred = rng.choices(theme_ids, theme_weights)[0]
        for proposal in pick(rng.randint(*supports_per_person), preferred):
            supports.append(Support(participant=participant, proposal=proposal,
                                    created_at=support_time))
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
    )
    if open_proposals:
        authors = list(Participant.objects.filter(user__username="ciudadana"))
        seed_proposals(consultation=open_proposals, authors=authors, count_per_theme=2, rng=rng)
    return DemoSummary(created_consultations=created, logins=logins)
