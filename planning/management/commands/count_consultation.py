import json

from django.core.management.base import BaseCommand, CommandError

from consult.models import CountingRule
from core.errors import ServiceError
from planning.management.commands.export_pabulib import consultation_from_arg


class Command(BaseCommand):
    help = "Count a consultation's ballots from the database and store an immutable CountRun."

    def add_arguments(self, parser):
        parser.add_argument("consultation", help="CITY/SLUG or id of the consultation")
        parser.add_argument("--rule", choices=CountingRule.values,
                            help="Default: the consultation's own rule")
        parser.add_argument("--min-votes", type=int, default=0)
        parser.add_argument("--tie-break", default="lexicographic",
                            choices=["lexicographic", "votes-then-cost"])
        parser.add_argument("--official", action="store_true",
                            help="Make this the count that decides the consultation")
        parser.add_argument("--publish", action="store_true",
                            help="With --official: publish the results too (the proposals "
                                 "then say whether they were selected)")
        parser.add_argument("--in-worker", action="store_true",
                            help="Queue the count for a Celery worker and return at once")

    def handle(self, *args, consultation: str, rule, min_votes, tie_break, official,
               publish, in_worker, **options):
        from planning.services import count_run_create, results_publish

        if publish and (not official or in_worker):
            raise CommandError("--publish needs --official and no --in-worker", returncode=2)
        from planning.tasks import count_consultation

        if in_worker:
            result = count_consultation.delay(
                consultation_from_arg(consultation).pk, rule=rule, min_votes=min_votes,
                tie_break=tie_break, official=official)
            self.stdout.write(json.dumps({"queued": result.id}))
            return
        try:
            run = count_run_create(
                consultation=consultation_from_arg(consultation), rule=rule,
                min_votes=min_votes, tie_break=tie_break, official=official,
            )
            if publish:
                results_publish(consultation=run.consultation, user=None)
        except ServiceError as error:
            raise CommandError(error.message, returncode=2) from None
        self.stdout.write(json.dumps({
            "count_run": run.pk, "rule": run.rule, "official": run.is_official,
            "selected": run.selected, "total_cost": str(run.total_cost),
            "budget": str(run.budget), "ballots": run.n_ballots, "input_hash": run.input_hash,
            "duration_ms": run.duration_ms,
        }, indent=2))
