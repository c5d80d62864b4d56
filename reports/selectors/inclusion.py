"""Who took part in a consultation, per district, age band, gender and kind of organisation,
next to the city's population where it is known; small cells suppressed (see suppression)."""
from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from django.db.models import Count, F, Q

from consult import selectors as consult_selectors
from consult.models import Consultation, Organisation, Participant

from ..models import Dimension, PopulationGroup
from .suppression import suppression_mask
from .tables import table_from_frame

DIMENSION_CHOICES = {
    Dimension.AGE_BAND: Participant.AgeBand.choices,
    Dimension.GENDER: Participant.Gender.choices,
    Dimension.ORGANISATION_KIND: Organisation.Kind.choices,
}
BREAKDOWN_TYPES = {
    "group": "label", "participants": "int", "share": "percent", "population": "int",
    "population_share": "percent", "representation": "ratio",
}


def took_part(consultation: Consultation) -> Q:
    """A participant supported, voted or proposed in the consultation: a filter on the ids that
    this consultation's rows name (`consult.selectors.participant_ids_of`), so the cost does
    not grow with other cities' participants."""
    return Q(pk__in=consult_selectors.participant_ids_of(consultation=consultation))


def _people_per_group(consultation: Consultation) -> dict[str, dict[str, int]]:
    """Per dimension, how many people who took part are in each group ("" for not stated).
    Two queries: one GROUP BY over the three personal fields (a few hundred combinations at
    most), summed per field with pandas; kinds of organisation need their own (a person may
    belong to several)."""
    people = Participant.objects.filter(took_part(consultation)).order_by()
    combos = pd.DataFrame(list(people.values("district", "age_band", "gender")
                               .annotate(n=Count("pk"))),
                          columns=["district", "age_band", "gender", "n"])

    def per(field: str) -> list[dict]:
        sums = combos.groupby(field)["n"].sum()
        return [{"g": key, "n": int(n)} for key, n in sums.items()]

    observed = {
        Dimension.DISTRICT: per("district"),
        Dimension.AGE_BAND: per("age_band"),
        Dimension.GENDER: per("gender"),
        Dimension.ORGANISATION_KIND: people.values(g=F("user__organisations__kind"))
        .annotate(n=Count("pk", distinct=True)),
    }
    return {dimension: {(row["g"] or ""): row["n"] for row in rows}
            for dimension, rows in observed.items()}


def _population_per_group(consultation: Consultation) -> dict[str, dict[str, int]]:
    population = defaultdict(dict)
    for row in PopulationGroup.objects.filter(city_id=consultation.city_id).values(
            "dimension", "group", "population"):
        population[row["dimension"]][row["group"]] = row["population"]
    return population


def _breakdown_table(dimension: str, counts: dict[str, int], known: dict[str, int]) -> dict:
    """One dimension's table: participants, their share (of those who said), the population
    and its share, and representation; suppressed cells carry no count, share or ratio."""
    # The group's code (a district's name as written), worded when read in the dimension's
    # vocabulary; "" for those who did not say (or belong to no organisation).
    choices = DIMENSION_CHOICES.get(dimension)
    if choices:
        groups = [code for code, _label in choices]
    else:
        groups = [name for name in sorted(set(counts) | set(known)) if name]
    frame = pd.DataFrame(
        [(code, counts.get(code, 0), known.get(code)) for code in groups]
        + ([("", counts[""], None)] if counts.get("") else []),
        columns=["group", "participants", "population"],
    )
    stated = frame["group"] != ""
    marks = suppression_mask(frame["participants"].tolist())
    hidden = [mark is not None for mark in marks]
    stated_total = frame.loc[stated, "participants"].sum()
    frame["share"] = np.where(stated & (stated_total > 0),
                              frame["participants"] / max(stated_total, 1) * 100, np.nan)
    pop = pd.to_numeric(frame["population"], errors="coerce").astype(float)
    pop_total = pop.sum()
    frame["population_share"] = pop / pop_total * 100 if pop_total > 0 else np.nan
    frame["representation"] = (frame["share"].astype(float)
                               / frame["population_share"].astype(float)).round(2)
    frame["participants"] = frame["participants"].astype(object)
    frame["population"] = pd.Series([None if pd.isna(v) else int(v) for v in pop], dtype=object)
    for column in ("share", "representation"):
        frame[column] = frame[column].astype(object)
        frame.loc[hidden, column] = None
    frame.loc[hidden, "participants"] = [mark for mark in marks if mark is not None]
    table = table_from_frame(frame, BREAKDOWN_TYPES, vocabularies={"group": str(dimension)})
    table["suppressed"] = int(sum(hidden))
    return table


def inclusion_tables(consultation: Consultation) -> dict[str, dict]:
    """Participants per district, age band, gender and kind of organisation, next to the
    city's population where it is known. Three queries whatever the number of
    participants."""
    population = _population_per_group(consultation)
    return {
        f"inclusion_{dimension}": _breakdown_table(dimension, counts,
                                                   population.get(dimension, {}))
        for dimension, counts in _people_per_group(consultation).items()
    }
