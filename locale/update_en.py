"""Rebuild locale/en_GB/LC_MESSAGES/django.po: django-allauth's Title Case strings ("Sign In",
"Remember Me") in GOV.UK sentence case ("Sign in", "Remember me"), issue 22.9.

The allauth strings are read from the Welsh catalogue, which keeps every one of them (see
update_cy.sh). Run after upgrading allauth, then compile:
    .venv/bin/python locale/update_en.py
    .venv/bin/python manage.py compilemessages -l en_GB --ignore=.venv
"""

import re
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
ALLAUTH = (
    "account/",
    "templates/account",
    "templates/mfa",
    "mfa/",
    "templates/allauth",
    "templates/usersessions",
    "usersessions/",
    "templates/socialaccount",
    "socialaccount/",
)
TITLE_CASE = re.compile(r"[A-Za-z' ?!.-]+")


def sentence_case(text: str) -> str:
    first, *rest = text.split(" ")
    head, *tail = first.split("-")
    first = "-".join([head, *(part.lower() for part in tail)])
    return " ".join([first, *(w if w.isupper() and len(w) > 1 else w.lower() for w in rest)])


def main() -> None:
    welsh = polib.pofile(str(HERE / "cy" / "LC_MESSAGES" / "django.po"))
    out = polib.POFile()
    out.metadata = {
        "Project-Id-Version": "Test Bed Exchange",
        "Language": "en_GB",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    out.header = (
        "British English overrides: django-allauth's Title Case headings, buttons and labels\n"
        "in GOV.UK sentence case. Made by locale/update_en.py: do not edit by hand."
    )
    seen = set()
    for entry in welsh:
        if entry.obsolete or entry.msgid_plural or entry.msgid in seen:
            continue
        if not any(path.startswith(ALLAUTH) for path, _line in entry.occurrences):
            continue
        words = entry.msgid.split()
        if len(words) < 2 or not TITLE_CASE.fullmatch(entry.msgid):
            continue
        if not all(w[:1].isupper() for w in words if w[:1].isalpha()):
            continue
        seen.add(entry.msgid)
        out.append(polib.POEntry(msgid=entry.msgid, msgstr=sentence_case(entry.msgid)))
    out.save(str(HERE / "en_GB" / "LC_MESSAGES" / "django.po"))


if __name__ == "__main__":
    main()
