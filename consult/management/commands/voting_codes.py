"""Issue a consultation's voting codes and write the only copy of them: a CSV and a printable
HTML sheet of letters (docs/eligibility.md, "Voting codes")."""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from consult.models import Consultation, Eligibility
from consult.services.codes import voting_codes_issue
from core.errors import ServiceError

#: Only the owner may read the files: they hold the only copy of the codes.
FILE_MODE = 0o600
CODE_ELIGIBILITY = (Eligibility.CODE, Eligibility.VERIFIED_OR_CODE)


def find_consultation(ref: str) -> Consultation:
    """``city-slug/consultation-slug``, or the consultation's id."""
    ref = ref.strip().strip("/")
    found = Consultation.objects.select_related("city")
    if ref.isdigit():
        consultation = found.filter(pk=int(ref)).first()
    elif ref.count("/") == 1:
        city_slug, slug = ref.split("/")
        consultation = found.filter(city__slug=city_slug, slug=slug).first()
    else:
        raise CommandError(f"Name the consultation as city-slug/consultation-slug or by its id, "
                           f"not {ref!r}.", returncode=2)
    if consultation is None:
        raise CommandError(f"No consultation {ref!r}.", returncode=2)
    return consultation


def _write_private(path: Path, text: str) -> None:
    """Create the file (never over an existing one), readable and writable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    os.chmod(path, FILE_MODE)  # whatever the umask did


def codes_csv(codes: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["number", "code"])
    writer.writerows(enumerate(codes, start=1))
    return buffer.getvalue()


def codes_sheet(*, consultation: Consultation, codes: list[str]) -> str:
    """The letters, one A4 page a code, in the city's default language."""
    city = consultation.city
    vote_url = settings.SITE_URL.rstrip("/") + reverse(
        "consult:vote", args=[city.slug, consultation.slug])
    with translation.override(city.default_language):
        return render_to_string("consult/codes/sheet.html", {
            "consultation": consultation, "city": city, "vote_url": vote_url,
            "language": city.default_language, "codes": enumerate(codes, start=1),
        })


class Command(BaseCommand):
    help = ("Issue single-use voting codes of a consultation. Only their keyed hashes are "
            "stored; the codes themselves are written once, to a CSV and a printable HTML sheet "
            "of letters (print it from a browser, to paper or to PDF), readable only by you.")

    def add_arguments(self, parser):
        parser.add_argument("consultation",
                            help="city-slug/consultation-slug, or the consultation's id")
        parser.add_argument("--count", type=int, required=True, help="how many codes to issue")
        parser.add_argument("--batch", default="",
                            help="a label for this batch (at most 40 characters; names the files)")
        parser.add_argument("--out", default=".",
                            help="the directory the files are written to (default: here)")

    def handle(self, *args, consultation: str, count: int, batch: str, out: str, **options):
        target = find_consultation(consultation)
        city = target.city
        folder = Path(out)
        if not folder.is_dir():
            raise CommandError(f"No directory {out!r}.", returncode=2)
        label = slugify(batch)[:40] or timezone.localtime(
            timezone=city.tzinfo).strftime("%Y%m%d-%H%M%S")
        stem = f"voting-codes-{city.slug}-{target.slug}-{label}"
        csv_path, html_path = folder / f"{stem}.csv", folder / f"{stem}.html"
        for path in (csv_path, html_path):
            if path.exists():
                raise CommandError(f"{path} exists: it is not overwritten (it may hold the only "
                                   f"copy of earlier codes). Choose another --batch or --out.",
                                   returncode=2)
        if target.eligibility not in CODE_ELIGIBILITY:
            self.stderr.write(f"Note: who may vote in this consultation is "
                              f"{target.get_eligibility_display()!s}: codes count only once it "
                              f"admits holders of a voting code.")
        written: list[Path] = []
        try:
            # The codes are stored only if both files were written: a failure leaves neither.
            with transaction.atomic():
                codes = voting_codes_issue(consultation=target, count=count, batch=batch)
                for path, text in ((csv_path, codes_csv(codes)),
                                   (html_path, codes_sheet(consultation=target, codes=codes))):
                    _write_private(path, text)
                    written.append(path)
        except BaseException as error:
            for path in written:
                path.unlink(missing_ok=True)
            if isinstance(error, ServiceError):
                raise CommandError(error.message, returncode=1) from error
            raise
        self.stdout.write(f"Issued {len(codes)} voting codes for {target.title} ({city.name}).")
        self.stdout.write(f"CSV: {csv_path.resolve()}")
        self.stdout.write(f"Letters (HTML, print from a browser): {html_path.resolve()}")
        self.stdout.write("These files hold the only copy of the codes: keep them private and "
                          "destroy them once the letters are printed.")
