"""Demo data: the seeded network, consultations, plans and reports that `make demo` serves.

Sits above every domain app (import-linter's layers contract in `pyproject.toml`): it builds its
data through their services and models, and no domain app imports it.

- ``people``: cities, organisations, role logins and bulk participants;
- ``consultations``: Mexico City's and Montevideo's consultations, proposals, supports, ballots;
- ``plans``: the strategy plans drafted from those counts;
- ``reports``: Mexico City's population groups and the published reports.
"""
