"""Seed the reports demo (after `seed_demo` and `seed_plans`): `python manage.py seed_reports`."""
from django.core.management.base import BaseCommand

from demo.reports import seed_report_demo


class Command(BaseCommand):
    help = ("Mexico City's population per district, gender and age band, and a published "
            "report of the demo consultation and plan. Idempotent.")

    def handle(self, *args, **options):
        done = seed_report_demo()
        for line in done:
            self.stdout.write(line)
        if not done:
            self.stdout.write("The reports demo was already seeded (or seed_demo has not run).")
