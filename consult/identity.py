"""Census identifiers and voting codes, never stored as typed (docs/eligibility.md).

Both are kept only as HMAC-SHA256 digests keyed with ``settings.ELIGIBILITY_KEY``: a lookup is
a plain indexed equality, and the database alone reveals neither the document numbers nor the
codes (a code has about 40 bits: without the key no one can try them offline; online, attempts
are throttled). A document number is normalised before hashing (case, spaces, dots, dashes), so
"12.345.678-k" and "12345678K" are one person.

Voting codes are eight characters of an alphabet without look-alikes (no 0/O, 1/I/L) and a
ninth, a check character (Luhn mod 30), printed as ``XXXX-XXXX-C``: a typo is caught before the
server is asked; one mistyped character never makes another valid code, nor do two swapped
neighbours (Luhn's one blind swap, "2Z" ↔ "Z2", is never drawn: `new_code`).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

from django.conf import settings

#: 30 characters, none that reads as another: no 0/O, 1/I/L, and no U (read as V).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_BODY = 8
_SEPARATORS = re.compile(r"[\s.\-_/]+")


def _digest(purpose: str, value: str) -> str:
    key = settings.ELIGIBILITY_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_identifier(raw: str) -> str:
    """A document number as compared: upper case, without spaces, dots, dashes or slashes."""
    return _SEPARATORS.sub("", (raw or "").strip()).upper()


def census_hasher(*, city_id: int) -> Callable[[str], str]:
    """The keyed hash of a city's normalised census identifiers, with the key set up once
    (about twice as fast over a whole census as hashing each from scratch). The city is part
    of it: the same number in two cities is two people."""
    base = hmac.new(settings.ELIGIBILITY_KEY.encode(), f"census:{city_id}:".encode(),
                    hashlib.sha256)

    def digest(normalised: str) -> str:
        mac = base.copy()
        mac.update(normalised.encode())
        return mac.hexdigest()

    return digest


def identifier_hash(raw: str, *, city_id: int) -> str:
    """The keyed hash of a city's census identifier, as typed."""
    return census_hasher(city_id=city_id)(normalise_identifier(raw))


# --- voting codes -------------------------------------------------------------------------------


def _check_character(body: str) -> str:
    """Luhn mod N over the alphabet: catches any single wrong character and any swap of two
    neighbours."""
    n = len(CODE_ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * CODE_ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return CODE_ALPHABET[(n - total % n) % n]


#: Luhn mod 30 misses one typo: two neighbours swapped when they are the alphabet's first and
#: last characters ("2Z" read as "Z2"), as Luhn mod 10 misses "09" ↔ "90". Codes where they
#: stand side by side (about 2 %) are never drawn.
_BLIND_PAIRS = (CODE_ALPHABET[0] + CODE_ALPHABET[-1], CODE_ALPHABET[-1] + CODE_ALPHABET[0])


def new_code() -> str:
    """A fresh voting code, as printed: ``XXXX-XXXX-C``; no swap of two neighbours and no
    single wrong character makes it another valid code."""
    while True:
        body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_BODY))
        typed = body + _check_character(body)
        if not any(pair in typed for pair in _BLIND_PAIRS):
            return f"{body[:4]}-{body[4:]}-{typed[-1]}"


def normalise_code(raw: str) -> str | None:
    """The code as typed, upper case and without separators; None when it cannot be a code
    (wrong length, a character outside the alphabet, a wrong check character)."""
    text = _SEPARATORS.sub("", (raw or "").strip()).upper()
    if len(text) != CODE_BODY + 1 or any(char not in CODE_ALPHABET for char in text):
        return None
    body, check = text[:CODE_BODY], text[CODE_BODY]
    return text if _check_character(body) == check else None


def code_hash(normalised: str, *, consultation_id: int) -> str:
    return _digest(f"code:{consultation_id}", normalised)
