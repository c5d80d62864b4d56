"""Django's flush, able to empty frozen tables.

The frozen-record triggers (planning/immutable.py) refuse every DELETE (SQLite) and TRUNCATE
(PostgreSQL) of count runs, plan versions, decisions and published reports, and flush is how
the database is emptied on purpose: by `manage.py flush`, and by the test runner between
transactional tests. This command runs Django's own, with the transaction that deletes the
rows marked as a flush (``immutable.flushing``); nothing else is marked, so nothing else gets
through.
"""
from django.core.management.commands import flush
from django.db import connections

from planning.immutable import flushing


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        ops = connection.ops
        execute_sql_flush = ops.execute_sql_flush

        def execute_marked(sql_list):
            with flushing(connection):
                execute_sql_flush(sql_list)

        # Only the flush statements run marked (not the confirmation prompt, not post_migrate):
        # the connection's execute_sql_flush is wrapped for the duration of this command.
        ops.execute_sql_flush = execute_marked
        try:
            return super().handle(**options)
        finally:
            del ops.execute_sql_flush
