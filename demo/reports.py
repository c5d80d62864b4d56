"""Demo data for the reports: Mexico City's population per district (alcaldía), gender and age
band, so that the inclusion tables compare participants with the city; and, when the demo
consultation and plan are there, a published version of each report.

District and gender figures: INEGI, Censo de Población y Vivienda 2020. Age bands: rounded
approximations of the same census for the demo (check before any real use). Idempotent.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model

from consult.models import City, Consultation, Phase
from planning.models import StrategyPlan
from reports import services
from reports.models import Dimension, PopulationGroup, PublishedReport

CENSUS = "INEGI, Censo de Población y Vivienda 2020"
CDMX_DISTRICTS = {
    "Álvaro Obregón": 759137, "Azcapotzalco": 432205, "Benito Juárez": 434153,
    "Coyoacán": 614447, "Cuajimalpa": 217686, "Cuauhtémoc": 545884,
    "Gustavo A. Madero": 1173351, "Iztacalco": 404695, "Iztapalapa": 1835486,
    "Magdalena Contreras": 247622, "Miguel Hidalgo": 414470, "Milpa Alta": 152685,
    "Tláhuac": 392313, "Tlalpan": 699928, "Venustiano Carranza": 443704,
    "Xochimilco": 442178,
}
CDMX_GENDER = {"woman": 4805017, "man": 4404927}
CDMX_AGE_BANDS = {"u18": 1900000, "18-29": 1750000, "30-44": 2100000, "45-64": 2300000,
                  "65+": 1159944}


def seed_population(city: City) -> int:
    rows = (
        [(Dimension.DISTRICT, g, n, CENSUS) for g, n in CDMX_DISTRICTS.items()]
        + [(Dimension.GENDER, g, n, CENSUS) for g, n in CDMX_GENDER.items()]
        + [(Dimension.AGE_BAND, g, n, f"{CENSUS} (approximate, demo)")
           for g, n in CDMX_AGE_BANDS.items()]
    )
    created = 0
    for dimension, group, population, source in rows:
        _obj, was_created = PopulationGroup.objects.get_or_create(
            city=city, dimension=dimension, group=group,
            defaults={"population": population, "source": source},
        )
        created += was_created
    return created


def seed_report_demo() -> list[str]:
    """Population groups for Mexico City, then one published report of the demo consultation
    and plan (as the demo planner) when they exist and have none yet."""
    done = []
    city = City.objects.filter(slug="ciudad-de-mexico").first()
    if city is None:
        return done
    if seed_population(city):
        done.append("population groups: Ciudad de México")
    planner = get_user_model().objects.filter(username="planificador").first()
    if planner is None:
        return done
    consultation = Consultation.objects.filter(
        city=city, slug="estrategia-internacional-2027-2030").first()
    if consultation is not None and consultation.phase in (Phase.COUNTING, Phase.RESULTS) \
            and not PublishedReport.objects.filter(consultation=consultation).exists():
        services.report_publish(user=planner, consultation=consultation)
        done.append(f"published report: {consultation.title}")
    plan = StrategyPlan.objects.filter(city=city, approved_version__isnull=False).first()
    if plan is not None and not PublishedReport.objects.filter(plan=plan).exists():
        services.report_publish(user=planner, plan=plan)
        done.append(f"published report: {plan.title}")
    return done
