from django.core.management.base import BaseCommand, CommandError

from consult.models import City
from core.errors import ServiceError


class Command(BaseCommand):
    help = "Import a Pabulib .pb file as a closed consultation of a city (voters anonymous)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the .pb file")
        parser.add_argument("--city", required=True, help="Slug of the city that held the vote")

    def handle(self, *args, file: str, city: str, **options):
        from tqdm import tqdm

        from planning.pabulib_io import consultation_import_pabulib

        try:
            tenant = City.objects.get(slug=city)
        except City.DoesNotExist:
            raise CommandError(f"No city with slug {city!r}.", returncode=2) from None
        bar = tqdm(total=3, desc="import", unit="step", disable=options["verbosity"] < 1,
                   file=self.stderr)

        def progress(step: str, size: int) -> None:
            bar.set_postfix_str(f"{step}: {size:,}")
            bar.update(1)

        try:
            consultation = consultation_import_pabulib(path=file, city=tenant, progress=progress)
        except ServiceError as error:
            raise CommandError(error.message, returncode=2) from None
        finally:
            bar.close()
        self.stdout.write(
            f"Imported {consultation.city.slug}/{consultation.slug}: "
            f"{consultation.proposals.count()} proposals, {consultation.ballots.count()} ballots."
        )
