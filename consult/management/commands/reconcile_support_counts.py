"""Check (and with --fix correct) every proposal's support counter against its supports."""
from django.core.management.base import BaseCommand, CommandError

from consult import services
from consult.models import City


class Command(BaseCommand):
    help = ("Compare every proposal's support counter with its supports, counted in the "
            "database; exit 1 when they differ, unless --fix corrects them.")

    def add_arguments(self, parser):
        parser.add_argument("--city", help="only this city's proposals (its slug)")
        parser.add_argument("--fix", action="store_true", help="set the counters right")

    def handle(self, *args, city: str | None, fix: bool, **options):
        city_obj = None
        if city:
            city_obj = City.objects.filter(slug=city).first()
            if city_obj is None:
                raise CommandError(f"No city {city!r}.", returncode=2)
        drift = services.support_counts_reconcile(city=city_obj, fix=fix)
        if not drift:
            self.stdout.write("Every support counter matches its supports.")
            return
        for row in drift[:20]:
            self.stdout.write(f"proposal {row['pk']}: counter {row['support_count']}, "
                              f"supports {row['counted']}")
        if len(drift) > 20:
            self.stdout.write(f"… and {len(drift) - 20} more")
        if fix:
            self.stdout.write(f"Fixed {len(drift)} counters.")
            return
        raise CommandError(f"{len(drift)} support counters differ from their supports; "
                           "run with --fix to correct them.", returncode=1)
