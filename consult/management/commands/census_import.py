"""Replace a city's census with a CSV file (docs/eligibility.md, "The census and verified
residents")."""
from django.core.management.base import BaseCommand, CommandError

from consult import services
from consult.models import City

#: Refused rows listed one by one; the rest are counted.
LISTED = 50


class Command(BaseCommand):
    help = ("Replace CITY's census with FILE.csv (columns: identifier, and optionally "
            "birth_date and district). Only keyed hashes of the identifiers are stored. Exit 1, "
            "with nothing written, when the file is refused as a whole.")

    def add_arguments(self, parser):
        parser.add_argument("city", help="the city's slug")
        parser.add_argument("file", help="the CSV file (UTF-8, comma or semicolon)")

    def handle(self, *args, city: str, file: str, **options):
        city_obj = City.objects.filter(slug=city).first()
        if city_obj is None:
            raise CommandError(f"No city {city!r}.", returncode=2)
        try:
            report = services.census_import(city=city_obj, file=file)
        except FileNotFoundError:
            raise CommandError(f"No file {file!r}.", returncode=2) from None
        except services.CensusRefused as refused:
            self._write_rows(refused.report)
            for lines in refused.duplicates[:LISTED]:
                self.stdout.write("same identifier on lines " + ", ".join(map(str, lines)))
            if len(refused.duplicates) > LISTED:
                self.stdout.write(f"… and {len(refused.duplicates) - LISTED} more")
            raise CommandError(f"{refused.message} The census of {city_obj.name} is unchanged.",
                               returncode=1) from None
        self._write_rows(report)
        self.stdout.write(f"stored: {report.stored:,}")
        self.stdout.write(f"The census of {city_obj.name} now has {report.stored:,} entries.")

    def _write_rows(self, report) -> None:
        self.stdout.write(f"rows read: {report.read:,}")
        self.stdout.write(f"refused: {len(report.refused):,}")
        for row in report.refused[:LISTED]:
            self.stdout.write(f"  line {row.line}: {row.reason}")
        if len(report.refused) > LISTED:
            self.stdout.write(f"  … and {len(report.refused) - LISTED:,} more")
