from django.core.management.base import BaseCommand

from demo.consultations import seed_demo
from demo.people import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Seed the demo network (idempotent, deterministic) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--participants", type=int, default=5000,
            help="Participants of Mexico City's consultations (default 5000).",
        )

    def handle(self, *args, participants: int, **options):
        summary = seed_demo(participants=participants)
        if summary.created_consultations:
            self.stdout.write("Created: " + ", ".join(summary.created_consultations))
        else:
            self.stdout.write("The demo was already seeded; nothing to add.")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD}):"))
        for username, description in summary.logins:
            self.stdout.write(f"  {username:<20} {description}")
        if summary.voting_codes:
            self.stdout.write(self.style.SUCCESS(
                "Voting codes of “Agenda climática” (printed only now; any login may vote "
                "with one):"))
            self.stdout.write("  " + "  ".join(summary.voting_codes[:5]))
