"""Demo data: the seeded network, consultations, plans and reports that `make demo` serves.

Sits above every domain app (import-linter's layers contract in `pyproject.toml`): it builds its
data through their services and models, and no domain app imports it.

- ``people``: cities (CUF and FAMSI among the partners), organisations, role logins, districts
  and bulk participants per city;
- ``consultations``: a consultation or more in every city of the network, with proposals,
  supports and ballots;
- ``texts``: the proposals' titles per city and their residents' summaries and bodies;
- ``plans``: the strategy plans drafted from those counts, and the results published of every
  consultation past its results date;
- ``reports``: Mexico City's population groups and the published reports.
"""
