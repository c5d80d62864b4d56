"""Frozen records: rows written once and never changed or deleted (count runs, plan versions,
council decisions, published reports). What somebody saw or decided on stays what it was.

Three guards, from the friendliest to the last word:

* the model (``ImmutableModel`` in planning.models): a saved instance refuses save() and
  delete();
* the manager (``FrozenQuerySet``): update(), delete(), bulk_update() and bulk_create() with
  update_conflicts refuse, with a ``FrozenRecord`` error;
* the database (``FreezeRecords``, a migration operation): triggers refuse UPDATE and DELETE
  of the rows whatever sends them (raw SQL, another program, a cascade), on PostgreSQL also
  TRUNCATE.

The one change allowed: the person who made the record (``created_by``, ``reviewer``,
``published_by``; on_delete=SET_NULL) becomes NULL when their account is deleted, and nothing
else in the row changes. Account deletion anonymises; it must not be blocked by the records
the person made.

The only way rows go is ``manage.py flush`` (which is also how the test runner empties the
database between transactional tests): our flush command (planning/management/commands/
flush.py) marks its own transaction as flushing, and the triggers let that transaction through.
See ``flushing``.
"""
from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.migrations.operations.base import Operation

#: On SQLite, the table whose (uncommitted) row says "this transaction is a flush". Only the
#: flush command writes it, inside its own transaction; no other connection ever sees the row.
SQLITE_FLUSH_MARKER = "cabildo_flushing"
#: On PostgreSQL, the transaction-local setting that says the same (set_config(..., true)).
PG_FLUSH_SETTING = "cabildo.flushing"


class FrozenRecord(PermissionDenied):
    """Somebody tried to change or delete a frozen record. A PermissionDenied, so that a view
    that lets one through answers 403, not 500; but it is a programming error: the services
    never change these records, they create new ones."""


def _refuse(model, what: str):
    # For developers, in English: the services never get here.
    raise FrozenRecord(
        f"{model.__name__} rows are frozen records: {what} is refused. "
        f"{model.immutable_message.format(name=model.__name__)}"
    )


class FrozenQuerySet(models.QuerySet):
    """A queryset over frozen records: it reads and inserts, nothing else."""

    def update(self, **kwargs):
        person = self.model.frozen_person_field
        field = self.model._meta.get_field(person) if person else None
        if field is not None and kwargs in ({field.name: None}, {field.attname: None}):
            # The person's account is being deleted (on_delete=SET_NULL): allowed.
            return super().update(**kwargs)
        _refuse(self.model, "update()")

    def delete(self):
        _refuse(self.model, "delete()")

    def bulk_update(self, objs, fields, batch_size=None):
        _refuse(self.model, "bulk_update()")

    def bulk_create(self, objs, batch_size=None, ignore_conflicts=False,
                    update_conflicts=False, update_fields=None, unique_fields=None):
        if update_conflicts:
            _refuse(self.model, "bulk_create(update_conflicts=True)")
        return super().bulk_create(objs, batch_size=batch_size,
                                   ignore_conflicts=ignore_conflicts,
                                   unique_fields=unique_fields)


FrozenManager = models.Manager.from_queryset(FrozenQuerySet, "FrozenManager")


# --- the database guard --------------------------------------------------------------------


def _trigger_name(table: str, event: str) -> str:
    return f"cabildo_frozen_{table}_{event}"


def _sqlite_sql(table: str, columns: list[str], allow_null: str | None) -> list[str]:
    """SQLite has no way to compare whole rows, so the UPDATE trigger lists the columns: a later
    migration that adds a column to a frozen table must run FreezeRecords again (the tests check
    that every column is covered)."""
    quote = '"{}"'.format
    message = f"{table} rows are frozen records"
    if allow_null:
        unchanged = " AND ".join(
            f"NEW.{quote(c)} IS OLD.{quote(c)}" for c in columns if c != allow_null
        )
        allowed = f"NEW.{quote(allow_null)} IS NULL AND {unchanged}"
        when = f" WHEN NOT ({allowed})"
    else:
        when = ""
    return [
        f"CREATE TABLE IF NOT EXISTS {SQLITE_FLUSH_MARKER} (flushing integer NOT NULL)",
        f"CREATE TRIGGER {_trigger_name(table, 'update')} BEFORE UPDATE ON {quote(table)}"
        f"{when} BEGIN SELECT RAISE(ABORT, '{message}: UPDATE refused'); END",
        f"CREATE TRIGGER {_trigger_name(table, 'delete')} BEFORE DELETE ON {quote(table)}"
        f" WHEN NOT EXISTS (SELECT 1 FROM {SQLITE_FLUSH_MARKER})"
        f" BEGIN SELECT RAISE(ABORT, '{message}: DELETE refused'); END",
    ]


def _sqlite_drop_sql(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)}"
            for event in ("update", "delete")]


def _pg_sql(table: str, allow_null: str | None) -> list[str]:
    """One function per table; a row trigger for UPDATE and DELETE, a statement trigger for
    TRUNCATE (which row triggers do not see). The row comparison goes through jsonb, so it
    covers columns added later without re-running the operation."""
    function = f"cabildo_frozen_{table}"
    allowed = (
        f"IF TG_OP = 'UPDATE' AND NEW.{allow_null} IS NULL AND "
        f"to_jsonb(NEW) - '{allow_null}' = to_jsonb(OLD) - '{allow_null}' THEN "
        f"RETURN NEW; END IF; "
        if allow_null else ""
    )
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {allowed}"
        f"IF TG_OP = 'TRUNCATE' AND current_setting('{PG_FLUSH_SETTING}', true) = 'on' THEN "
        f"RETURN NULL; END IF; "
        f"RAISE EXCEPTION '{table} rows are frozen records: % refused', TG_OP "
        f"USING ERRCODE = 'integrity_constraint_violation'; "
        f"END $$",
        f'CREATE TRIGGER cabildo_frozen BEFORE UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f'CREATE TRIGGER cabildo_frozen_truncate BEFORE TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def _pg_drop_sql(table: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS cabildo_frozen ON "{table}"',
        f'DROP TRIGGER IF EXISTS cabildo_frozen_truncate ON "{table}"',
        f"DROP FUNCTION IF EXISTS cabildo_frozen_{table}()",
    ]


class FreezeRecords(Operation):
    """Install the triggers that refuse UPDATE and DELETE of a model's rows, except setting
    ``allow_null_field`` (a column name) to NULL with nothing else changed. Re-running it (e.g.
    after adding a column) replaces the triggers. Reversible: going back drops them."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, allow_null_field: str | None = None):
        self.model_name = model_name
        self.allow_null_field = allow_null_field

    def deconstruct(self):
        kwargs = {"model_name": self.model_name}
        if self.allow_null_field:
            kwargs["allow_null_field"] = self.allow_null_field
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def describe(self):
        return f"Freeze the rows of {self.model_name} (database triggers)"

    @property
    def migration_name_fragment(self):
        return f"freeze_{self.model_name.lower()}"

    def _model(self, app_label, state):
        return state.apps.get_model(app_label, self.model_name)

    def _install(self, schema_editor, model):
        table = model._meta.db_table
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            columns = [field.column for field in model._meta.concrete_fields]
            if self.allow_null_field and self.allow_null_field not in columns:
                raise ValueError(f"{table} has no column {self.allow_null_field}")
            statements = _sqlite_drop_sql(table) + _sqlite_sql(
                table, columns, self.allow_null_field)
        elif vendor == "postgresql":
            statements = _pg_drop_sql(table) + _pg_sql(table, self.allow_null_field)
        else:  # pragma: no cover - the project runs on these two
            raise NotImplementedError(f"No frozen-record triggers for {vendor}")
        for sql in statements:
            schema_editor.execute(sql, params=None)

    def _remove(self, schema_editor, model):
        table = model._meta.db_table
        vendor = schema_editor.connection.vendor
        statements = _sqlite_drop_sql(table) if vendor == "sqlite" else _pg_drop_sql(table)
        for sql in statements:
            schema_editor.execute(sql, params=None)
        if vendor == "sqlite":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                               "AND name LIKE 'cabildo_frozen_%'")
                (left,) = cursor.fetchone()
            if not left:  # the last frozen table thawed: the flush marker goes too
                schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_FLUSH_MARKER}",
                                      params=None)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = self._model(app_label, to_state)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            self._install(schema_editor, model)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = self._model(app_label, from_state)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            self._remove(schema_editor, model)


@contextmanager
def flushing(connection):
    """Mark the current transaction as a flush, so that the triggers let its TRUNCATE
    (PostgreSQL) or DELETE (SQLite) of frozen rows through. Only the flush command uses it.

    The mark cannot outlive the transaction: on PostgreSQL a transaction-local setting, on
    SQLite a row inserted and removed inside it (a failure rolls both back). Application code
    never writes either; someone who does it on purpose could as well drop the triggers."""
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [PG_FLUSH_SETTING])
            yield
        elif (connection.vendor == "sqlite"
              and SQLITE_FLUSH_MARKER in connection.introspection.table_names()):
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {SQLITE_FLUSH_MARKER} (flushing) VALUES (1)")
            yield
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {SQLITE_FLUSH_MARKER}")
        else:  # no triggers installed (yet)
            yield
