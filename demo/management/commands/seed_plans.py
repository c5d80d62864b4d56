"""Seed the demo strategy plans (after `seed_demo`): `python manage.py seed_plans`."""
from django.core.management.base import BaseCommand

from demo.plans import seed_plans


class Command(BaseCommand):
    help = ("Seed the demo strategy plans (Mexico City approved by a recorded majority, "
            "Montevideo awaiting its council's vote), then publish the results of every "
            "consultation past its results date. Idempotent.")

    def handle(self, *args, **options):
        plans = seed_plans()
        for plan in plans:
            self.stdout.write(f"{plan.city.name}: {plan.title}")
        if not plans:
            self.stdout.write("The demo plans were already there (or seed_demo has not run).")
