"""The demo's people: the network's cities and organisations (the European partners Cités Unies
France and FAMSI among them), one login per role (all with DEMO_PASSWORD) and each city's
participants in bulk, living in its own districts.

Idempotent: cities, users and organisations are matched by slug or username. Randomness comes
from the generator the caller passes (seeded from SEED), so two runs give the same people.
"""
from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from consult.models import City, CityRole, Organisation, Participant

DEMO_PASSWORD = "cabildo-demo"
SEED = 2027

CITIES = [
    # slug, name, kind, country, timezone, language, currency, population
    ("ciudad-de-mexico", "Ciudad de México", "city", "MX", "America/Mexico_City", "es", "MXN",
     9209944),
    ("montevideo", "Montevideo", "city", "UY", "America/Montevideo", "es", "UYU", 1319108),
    ("moron", "Morón", "city", "AR", "America/Argentina/Buenos_Aires", "es", "ARS", 334178),
    ("belo-horizonte", "Belo Horizonte", "city", "BR", "America/Sao_Paulo", "pt-br", "BRL",
     2315560),
    ("quito", "Quito", "city", "EC", "America/Guayaquil", "es", "USD", 2679722),
    ("medellin", "Medellín", "city", "CO", "America/Bogota", "es", "COP", 2427129),
    ("lima", "Lima", "city", "PE", "America/Lima", "es", "PEN", 9943800),
    ("eurocities", "Eurocities", "network", "BE", "Europe/Brussels", "en", "EUR", None),
    ("platforma", "PLATFORMA", "network", "BE", "Europe/Brussels", "fr", "EUR", None),
    ("cemr", "CEMR — Council of European Municipalities and Regions", "network", "BE",
     "Europe/Brussels", "en", "EUR", None),
    # The network's own European partners: the French and Andalusian associations of local
    # governments for international cooperation.
    ("cites-unies-france", "Cités Unies France", "network", "FR", "Europe/Paris", "fr", "EUR",
     None),
    ("famsi", "FAMSI — Fondo Andaluz de Municipios para la Solidaridad Internacional", "network",
     "ES", "Europe/Madrid", "es", "EUR", None),
]

#: Where the city's planners may set up consultations too (`City.planners_may_set_up`): the
#: smaller cities, whose planners run the whole consultation; in Mexico City its administrator
#: (`admin-cdmx`) sets them up and the planners count and draft.
PLANNERS_SET_UP = {"lima", "moron", "quito"}

ORGANISATIONS = [
    # city slug, name, kind
    ("ciudad-de-mexico", "Colectivo Ciudad Verde", "ngo"),
    ("ciudad-de-mexico", "Red de Migrantes y Refugiados CDMX", "ngo"),
    ("ciudad-de-mexico", "Instituto de Estudios Urbanos — UNAM", "academia"),
    ("ciudad-de-mexico", "Cámara de Comercio Turístico del Centro", "business"),
    ("ciudad-de-mexico", "Asociación Vecinal Santa María la Ribera", "neighbourhood"),
    ("ciudad-de-mexico", "Sistema de Aguas de la Ciudad de México", "public_body"),
    ("ciudad-de-mexico", "Foro Cultural Tlatelolco", "other"),
    ("montevideo", "Intendencia — Unidad de Relaciones Internacionales", "public_body"),
    ("montevideo", "Cooperativa de Vivienda Malvín Norte", "neighbourhood"),
    ("moron", "Universidad de Morón — Observatorio Local", "academia"),
    ("belo-horizonte", "Observatório do Milênio de Belo Horizonte", "academia"),
    ("belo-horizonte", "Associação Comercial e Empresarial de Minas", "business"),
    ("quito", "Fundación Quito Patrimonio Vivo", "ngo"),
    ("medellin", "Corporación Ruta N", "public_body"),
    ("lima", "Asociación de Vecinos de Barranco", "neighbourhood"),
    ("eurocities", "Eurocities Working Group on Cooperation", "other"),
    ("cites-unies-france", "Cités Unies France", "other"),
    ("famsi", "FAMSI — Fondo Andaluz de Municipios para la Solidaridad Internacional",
     "public_body"),
    ("moron", "Cooperativa de Recuperadores Urbanos del Oeste", "ngo"),
    ("belo-horizonte", "Cooperativa de Catadores da Regional Barreiro", "ngo"),
    ("quito", "Cámara de Turismo de Pichincha", "business"),
    ("medellin", "Mesa de Cuidadoras de Manrique", "neighbourhood"),
    ("lima", "Red de Ollas Comunes de Lima", "ngo"),
]

DISTRICTS_CDMX = [
    "Álvaro Obregón", "Azcapotzalco", "Benito Juárez", "Coyoacán", "Cuajimalpa", "Cuauhtémoc",
    "Gustavo A. Madero", "Iztacalco", "Iztapalapa", "Magdalena Contreras", "Miguel Hidalgo",
    "Milpa Alta", "Tláhuac", "Tlalpan", "Venustiano Carranza", "Xochimilco",
]

#: Where each city's participants live: Mexico City's alcaldías, and a handful of the real
#: barrios, localidades, regionais, parroquias, comunas and distritos of the others.
DISTRICTS = {
    "ciudad-de-mexico": DISTRICTS_CDMX,
    "montevideo": ["Ciudad Vieja", "Centro", "Cordón", "Pocitos", "Malvín", "Buceo", "Cerro",
                   "Casavalle", "Piedras Blancas", "Colón", "Prado"],
    "moron": ["Morón Centro", "Castelar", "Haedo", "El Palomar", "Villa Sarmiento"],
    "belo-horizonte": ["Barreiro", "Centro-Sul", "Leste", "Nordeste", "Noroeste", "Norte",
                       "Oeste", "Pampulha", "Venda Nova"],
    "quito": ["Centro Histórico", "La Mariscal", "Iñaquito", "Cotocollao", "Calderón",
              "Chillogallo", "Quitumbe", "La Magdalena"],
    "medellin": ["Popular", "Manrique", "Aranjuez", "Robledo", "Villa Hermosa", "San Javier",
                 "Belén", "Laureles-Estadio", "El Poblado", "La Candelaria"],
    "lima": ["Cercado de Lima", "Barranco", "Miraflores", "San Juan de Lurigancho",
             "Villa El Salvador", "Comas", "San Martín de Porres", "Ate", "Rímac"],
}

# One login per role; all use DEMO_PASSWORD.
ROLE_LOGINS = [
    # username, city slug, role (None: participant only), description
    ("admin", None, None, "superuser (Django admin)"),
    ("ciudadana", "ciudad-de-mexico", None, "participant of Mexico City"),
    ("vecino", "ciudad-de-mexico", None, "participant of Mexico City, not yet verified: "
     "verify with document MX-0000002, born 1985-03-14"),
    ("moderadora", "ciudad-de-mexico", CityRole.Role.MODERATOR, "moderator, Mexico City"),
    ("planificador", "ciudad-de-mexico", CityRole.Role.PLANNER, "planner, Mexico City"),
    ("concejal", "ciudad-de-mexico", CityRole.Role.COUNCIL, "council member, Mexico City"),
    ("concejala", "ciudad-de-mexico", CityRole.Role.COUNCIL, "council member, Mexico City"),
    ("concejal-norte", "ciudad-de-mexico", CityRole.Role.COUNCIL,
     "council member, Mexico City"),
    ("admin-cdmx", "ciudad-de-mexico", CityRole.Role.ADMIN, "city administrator, Mexico City"),
    ("revisora", "ciudad-de-mexico", CityRole.Role.REVIEWER,
     "reviewer of proposals before the vote, Mexico City"),
    ("escrutadora-lima", "lima", CityRole.Role.CLERK,
     "ballot clerk, Lima: enters paper ballots"),
    ("escrutador-lima", "lima", CityRole.Role.CLERK,
     "ballot clerk, Lima: the second entry of each paper ballot"),
    ("planificadora-lima", "lima", CityRole.Role.PLANNER,
     "planner, Lima (no rights in Mexico City)"),
]


#: Logins whose residence is still to verify (demo.eligibility).
UNVERIFIED_LOGINS = {"vecino"}

#: Where the role logins live: `ciudadana` in Cuauhtémoc, Lima's planner in Barranco.
LOGIN_DISTRICTS = {"ciudad-de-mexico": "Cuauhtémoc", "lima": "Barranco"}


def seed_network() -> dict[str, City]:
    cities = {}
    for slug, name, kind, country, tz, language, currency, population in CITIES:
        cities[slug], _created = City.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name, "kind": kind, "country": country, "timezone": tz,
                "default_language": language, "currency": currency, "population": population,
                "planners_may_set_up": slug in PLANNERS_SET_UP,
            },
        )
    for city_slug, name, kind in ORGANISATIONS:
        Organisation.objects.get_or_create(
            city=cities[city_slug], slug=slugify(name)[:120], defaults={"name": name, "kind": kind}
        )
    return cities


def seed_logins(cities: dict[str, City]) -> list[tuple[str, str]]:
    User = get_user_model()
    logins = []
    for username, city_slug, role, description in ROLE_LOGINS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@demo.cabildo.example"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = username == "admin"
            user.is_superuser = username == "admin"
            user.save()
        city = cities[city_slug or "ciudad-de-mexico"]
        Participant.objects.get_or_create(
            user=user,
            defaults={"city": city, "is_verified": username not in UNVERIFIED_LOGINS,
                      "consent_at": timezone.now(),
                      "public_name": username,
                      "district": LOGIN_DISTRICTS.get(city.slug, "")},
        )
        if role:
            CityRole.objects.get_or_create(user=user, city=city, role=role)
        logins.append((username, description))
    org = Organisation.objects.get(slug="colectivo-ciudad-verde")
    org.members.add(User.objects.get(username="ciudadana"))
    return logins


def seed_participants(*, city: City, count: int, rng: random.Random) -> list[Participant]:
    """Create `count` demo participants of `city` (users without usable passwords) in bulk,
    each living in one of the city's districts (none for a network)."""
    User = get_user_model()
    prefix = f"{city.slug}-p"
    existing = list(Participant.objects.filter(user__username__startswith=prefix).order_by("pk"))
    if len(existing) >= count:
        return existing[:count]
    unusable = make_password(None)
    start = len(existing)
    users = User.objects.bulk_create(
        User(username=f"{prefix}{i:05d}", password=unusable) for i in range(start, count)
    )
    ages = [choice.value for choice in Participant.AgeBand] + [""]
    age_weights = [2, 26, 30, 28, 12, 2]
    genders = ["woman", "man", "non_binary", "other", ""]
    gender_weights = [50, 44, 2, 1, 3]
    districts = DISTRICTS.get(city.slug) or [""]
    now = timezone.now()
    participants = Participant.objects.bulk_create(
        (
            Participant(
                user=user,
                city=city,
                district=rng.choice(districts),
                age_band=rng.choices(ages, age_weights)[0],
                gender=rng.choices(genders, gender_weights)[0],
                consent_at=now,
                is_verified=rng.random() < 0.8,
            )
            for user in tqdm(users, desc="participants", unit="p", leave=False)
        ),
        batch_size=1000,
    )
    return existing + participants
