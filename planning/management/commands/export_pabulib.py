from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consult.models import Consultation


def consultation_from_arg(value: str) -> Consultation:
    """A consultation named as CITY/SLUG or by its numeric id."""
    queryset = Consultation.objects.select_related("city")
    try:
        if value.isdigit():
            return queryset.get(pk=int(value))
        city, _slash, slug = value.partition("/")
        return queryset.get(city__slug=city, slug=slug)
    except Consultation.DoesNotExist:
        raise CommandError(
            f"No consultation {value!r}; name it as CITY/SLUG or by its id.", returncode=2
        ) from None


class Command(BaseCommand):
    help = "Write a consultation's ballots, anonymised, as a Pabulib .pb file."

    def add_arguments(self, parser):
        parser.add_argument("consultation", help="CITY/SLUG or id of the consultation")
        parser.add_argument("file", help="Path of the .pb file to write ('-' for stdout)")

    def handle(self, *args, consultation: str, file: str, **options):
        from planning.pabulib_io import consultation_export_pabulib_stream

        pieces = consultation_export_pabulib_stream(
            consultation=consultation_from_arg(consultation))
        if file == "-":
            for piece in pieces:
                self.stdout.write(piece, ending="")
            self.stdout.flush()
        else:
            with Path(file).open("w", encoding="utf-8") as out:
                out.writelines(pieces)
            self.stdout.write(f"Wrote {file}.")
