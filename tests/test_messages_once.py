"""Each user-facing message exists once in the code (docs/architecture.md: services own their
checks and messages; views, forms and serializers do not repeat them).

A "message" here is a translatable sentence — a string given to gettext and friends that ends
with a full stop, a question or an exclamation mark — in the application packages (migrations
are generated copies of model definitions and are left out)."""
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "consult", "core", "config", "demo", "notifications", "planning",
            "reports")
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext",
           "ngettext_lazy"}


def _message_of(call: ast.Call) -> str | None:
    name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
    if name not in GETTEXT or not call.args:
        return None
    first = call.args[1] if name.startswith("pgettext") and len(call.args) > 1 else call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def _is_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "?", "!")) and len(text.split()) >= 3


def sentences_in_code() -> dict[str, list[str]]:
    places: dict[str, list[str]] = defaultdict(list)
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    text = _message_of(node)
                    if text is not None and _is_sentence(text):
                        places[text].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return places


def test_the_scan_finds_the_messages_it_checks():
    places = sentences_in_code()
    # A message every consultation page relies on, so the scan cannot silently read nothing.
    assert "Complete your profile before you take part." in places
    assert len(places) > 100


def test_each_user_facing_message_is_written_once():
    repeated = {text: where for text, where in sentences_in_code().items() if len(where) > 1}
    assert not repeated, "\n".join(
        f"{text!r} at {', '.join(where)}" for text, where in sorted(repeated.items()))
