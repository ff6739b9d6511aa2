"""Welsh (Cymraeg): the catalogue is complete and compiled, and the pages and e-mails use it.

The catalogue is locale/cy/LC_MESSAGES/django.po; its header says how to update it (with
locale/update_cy.sh). It holds the project's strings, django-allauth's (allauth ships no Welsh),
and the Django strings that Django's own, older Welsh catalogue lacks or gets wrong.

The page checks render each page in English and in Welsh and compare the visible text: a text
node that reads the same in both must be data the test created (names, titles, e-mail
addresses), a number or code, or on ALLOWED_SAME below. Content written by users is never
translated, so it is expected to read the same.
"""

import datetime
import gettext
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import models
from django.test import Client
from django.utils import timezone, translation

from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TestBedFactory,
    enrolled,
)
from tests.trials.test_pdf_render import SECTIONS, all_text, content, photos  # noqa: F401 (fixtures)
from trials import services

LOCALE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"

WELSH_PLURALS = (
    "nplurals=6; plural=(n==0) ? 0 : (n==1) ? 1 : (n==2) ? 2 : (n==3) ? 3 : (n==6) ? 4 : 5;"
)

# Interface text that reads the same in Welsh and English, and why. Keep it short: a string
# that is the same in both languages is usually one that was not translated.
ALLOWED_SAME = {
    "Test Bed Exchange",  # the service's name, a brand
    "Cymraeg",  # the language's own name (settings.LANGUAGES, the header's switcher)
    "English",  # the switcher on a Welsh page offers English by its own name
    "Beta",  # the GOV.UK phase tag reads "Beta" on Welsh services too
    # Names of UK procurement notice services: proper names, the same in Welsh.
    "Find a Tender",
    "Contracts Finder",
    "Public Contracts Scotland",
    "eTendersNI",
    "Cost",  # "cost", "problem", "sector" and "staff" are Welsh words too
    "cost",
    "Problem",
    "Partner",  # "partner" is Welsh too (plural "partneriaid")
    "Sector",
    "staff",
    "TRL",  # technology readiness level: the abbreviation is kept, as in the glossary
    "TRL %(level)s",
    "URL",
    "CSV",
    "JSON",
    "PDF",
    "API",
    "SHA-256",
    "WebAuthn",  # the names of standards (allauth, Django's validators)
    "IPv4",
    "IPv6",
}

WELSH_MONTHS = [
    "Ionawr",
    "Chwefror",
    "Mawrth",
    "Ebrill",
    "Mai",
    "Mehefin",
    "Gorffennaf",
    "Awst",
    "Medi",
    "Hydref",
    "Tachwedd",
    "Rhagfyr",
]
ENGLISH_MONTHS = [datetime.date(2026, m, 1).strftime("%B") for m in range(1, 13)]


# --- the .po file -------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], text[1:-1])


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file, the header (msgid "") first; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := re.match(
            r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line
        ):
            keyword, index, value = match.groups()
            target = (keyword, int(index or 0))
            _append(current, target, _unquote(value), init=True)
        elif line.startswith('"') and target is not None:
            _append(current, target, _unquote(line), init=False)
        else:
            raise AssertionError(f"line {number} of the .po is not understood: {raw!r}")
    return [entry for entry in entries if entry.line and (entry.msgid or entry.msgstr)]


def _append(entry: Entry, target: tuple[str, int], text: str, *, init: bool) -> None:
    keyword, index = target
    if keyword == "msgstr":
        entry.msgstr[index] = ("" if init else entry.msgstr[index]) + text
    else:
        setattr(entry, keyword, ("" if init else getattr(entry, keyword)) + text)


PLACEHOLDER = re.compile(
    r"%%"  # a literal percent sign, skipped below
    r"|%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]"  # %(name)s
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdifrx]"  # %s, %d
    r"|\{\w*\}"  # {name}, str.format
    r"|</?\w+[^>]*>"  # HTML tags
)


def placeholders(text: str) -> list[str]:
    return sorted(token for token in PLACEHOLDER.findall(text) if token != "%%")


@pytest.fixture(scope="module")
def catalogue() -> tuple[Entry, list[Entry]]:
    header, *entries = parse_po(PO.read_text(encoding="utf-8"))
    assert header.msgid == ""
    return header, entries


def test_the_header_declares_welsh_and_its_six_plural_forms(catalogue):
    header, _ = catalogue
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "cy"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == WELSH_PLURALS
    assert "fuzzy" not in header.flags


def test_every_entry_is_translated_in_every_plural_form_and_none_is_fuzzy(catalogue):
    _, entries = catalogue
    assert len(entries) > 1000
    problems = []
    for entry in entries:
        forms = range(6) if entry.msgid_plural is not None else range(1)
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if sorted(entry.msgstr) != list(forms):
            problems.append(f"forms {sorted(entry.msgstr)}: {entry.msgid!r}")
        problems += [f"empty: {entry.msgid!r}" for n in forms if not entry.msgstr.get(n)]
    assert problems == []


def test_placeholders_tags_and_edge_whitespace_are_kept(catalogue):
    _, entries = catalogue
    problems = []
    for entry in entries:
        wanted = placeholders(entry.msgid)
        plural_wanted = placeholders(entry.msgid_plural or entry.msgid)
        for n, text in entry.msgstr.items():
            # A plural form may use the singular's placeholders or the plural's.
            expected = wanted if entry.msgid_plural is None or n == 1 else plural_wanted
            if placeholders(text) != expected and placeholders(text) != wanted:
                problems.append(f"{entry.msgid!r} [{n}]: {placeholders(text)} != {expected}")
            if (text[:1].isspace(), text[-1:].isspace()) != (
                entry.msgid[:1].isspace(),
                entry.msgid[-1:].isspace(),
            ):
                problems.append(f"{entry.msgid!r} [{n}]: leading/trailing whitespace differs")
    assert problems == []


def test_only_the_allowed_strings_read_the_same_in_welsh(catalogue):
    _, entries = catalogue
    same = {
        entry.msgid
        for entry in entries
        if entry.msgstr.get(0) == entry.msgid
        and re.search(r"[^\W\d_]", PLACEHOLDER.sub("", entry.msgid))  # "…" has no words
    }
    assert same <= ALLOWED_SAME


def test_the_glossary_terms_are_used_consistently(catalogue):
    """The glossary at the top of the .po, checked by machine for its main terms."""
    _, entries = catalogue
    terms = {
        "test bed": ("gwely prawf", "wely prawf", "gwelyau prawf", "welyau prawf"),
        "trial": ("treial", "dreial", "threial"),
        "evidence pack": ("pecyn tystiolaeth", "becyn tystiolaeth", "phecyn tystiolaeth")
        + ("pecynnau tystiolaeth", "phecynnau tystiolaeth"),
        "start-up": ("busnes newydd", "fusnes newydd", "busnesau newydd"),
        "programme officer": ("swyddog rhaglen", "swyddogion rhaglen"),
        "waitlist": ("rhestr aros",),
        "KPI": ("DPA",),
    }
    problems = []
    for entry in entries:
        source = PLACEHOLDER.sub("", entry.msgid).replace("Test Bed Exchange", "").lower()
        for english, welsh in terms.items():
            translated = any(term.lower() in entry.msgstr[0].lower() for term in welsh)
            if english.lower() in source and not translated:
                problems.append(f"{english}: {entry.msgid!r} → {entry.msgstr[0]!r}")
    assert problems == []


# --- the compiled .mo ---------------------------------------------------------------------


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    """The .mo is rebuilt from the current .po: same entries, same translations."""
    _, entries = catalogue
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.info()["plural-forms"] == WELSH_PLURALS
    stale = []
    for entry in entries:
        if entry.msgid_plural is None:
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            )
            if got != entry.msgstr[0]:
                stale.append(entry.msgid)
            continue
        for n, form in [(0, 0), (1, 1), (2, 2), (3, 3), (6, 4), (7, 5), (21, 5)]:
            if compiled.ngettext(entry.msgid, entry.msgid_plural, n) != entry.msgstr[form]:
                stale.append(f"{entry.msgid} (n={n})")
    assert stale == []
    compiled_keys = {key if isinstance(key, str) else key[0] for key in compiled._catalog}
    assert compiled_keys - {""} == {entry.key for entry in entries}


# --- pages --------------------------------------------------------------------------------


class _Text(HTMLParser):
    """The text a person sees or hears: text nodes, and alt/aria-label/title/placeholder."""

    SKIP = {"script", "style", "template"}
    SPOKEN = ("alt", "aria-label", "title", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.html_lang: str | None = None
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag in self.SKIP:
            self._skipping += 1
        for name in self.SPOKEN:
            if attributes.get(name):
                self._add(attributes[name])
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self._add(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self._add(data)

    def _add(self, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.nodes.append(text)


def visible_text(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser


def data_of(*objects: models.Model) -> set[str]:
    """Every text value of the given rows: what users wrote, which is never translated."""
    values = set()
    for obj in objects:
        for model_field in obj._meta.concrete_fields:
            value = getattr(obj, model_field.attname)
            if isinstance(value, str) and value.strip():
                values.add(value.strip())
    return values


# Codes (TBX-2026-0001, 5G), e-mail addresses and web addresses read the same in any language.
CODE = re.compile(r"^[A-Z0-9][A-Za-z0-9_./:-]*\d[A-Za-z0-9_./:-]*$|^\S+@\S+\.\w+$|^https?://\S+$")


def leftover(node: str, data: set[str]) -> str:
    """What is left of a text node without data, allowed words, codes, numbers, punctuation."""
    for value in sorted(data, key=len, reverse=True):
        node = node.replace(value, " ")
    for term in sorted(ALLOWED_SAME, key=len, reverse=True):
        node = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", " ", node)
    words = [word for word in node.split() if not CODE.match(word)]
    node = " ".join(words)
    return node if re.search(r"[^\W\d_]{2,}", node) else ""


def untranslated(english: str, welsh: str, data: set[str]) -> list[str]:
    """Text nodes of the Welsh page that are also on the English page and are not data."""
    english_nodes = set(visible_text(english).nodes)
    found = []
    for node in visible_text(welsh).nodes:
        if node in english_nodes and leftover(node, data):
            found.append(node)
    return sorted(set(found))


def english_msgids_left(welsh: str, catalogue_entries: list[Entry]) -> list[str]:
    """Catalogue msgids (longer than 3 characters) that appear whole in the Welsh page."""
    msgids = {
        entry.msgid
        for entry in catalogue_entries
        if len(entry.msgid) > 3
        and entry.msgid not in ALLOWED_SAME
        and not placeholders(entry.msgid)
        and entry.msgstr[0] != entry.msgid
    }
    return sorted(node for node in set(visible_text(welsh).nodes) if node in msgids)


TODAY = timezone.localdate()


@pytest.fixture
def world(db):
    """A start-up with an approved, started trial on a provider's test bed, in a programme."""
    startup = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    provider = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    programme = ProgrammeFactory()
    officer = MembershipFactory(organisation=programme.team)
    testbed = TestBedFactory(
        organisation=provider.organisation,
        capacity=2,
        name="Keel Square sensor street",
        summary="Lamp posts with power and fibre on a busy square.",
        description="A square in the city centre with sensor-ready lamp posts.",
    )
    trial = services.trial_request(
        actor=startup.user,
        organisation=startup.organisation,
        testbed=testbed,
        title="Smart bins on Keel Square",
        summary="Fill-level sensors on litter bins.",
        first_day=TODAY,
        last_day=TODAY + datetime.timedelta(days=20),
        programme=enrolled(startup.organisation, programme),
    )
    services.trial_approve(actor=provider.user, trial=trial)
    services.trial_start(actor=startup.user, trial=trial)
    kpi = services.kpi_add(
        actor=startup.user, trial=trial, name="Bin collections", baseline=30, target=20
    )
    services.measurement_add(actor=startup.user, kpi=kpi, value=25, date=TODAY)
    trial.refresh_from_db()
    rows = [
        kpi,
        startup.user,
        provider.user,
        officer.user,
        startup.organisation,
        provider.organisation,
        programme.team,
        programme,
        testbed,
        trial,
        trial.booking,
    ]
    return {
        "startup": startup,
        "provider": provider,
        "officer": officer,
        "programme": programme,
        "testbed": testbed,
        "trial": trial,
        "kpi": kpi,
        "measurement": kpi.measurements.get(),
        "data": data_of(*rows) | {"Sunderland"},
    }


def welsh_client(user=None) -> Client:
    """A client that chose Cymraeg with the header's language link."""
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get("/language/cy/", {"next": "/testbeds/"})
    assert response.status_code == 302
    assert response["Location"] == "/testbeds/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    return client


def english_client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pages(world) -> list[tuple[str, object]]:
    return [
        ("/testbeds/", world["startup"].user),
        (world["testbed"].get_absolute_url(), world["startup"].user),
        (world["trial"].get_absolute_url(), world["startup"].user),
        (f"{world['trial'].get_absolute_url()}messages/", world["startup"].user),
        (f"{world['trial'].get_absolute_url()}change-dates/", world["startup"].user),
        (f"{world['trial'].get_absolute_url()}partners/new/", world["startup"].user),
        ("/trials/messages/", world["startup"].user),
        (f"/programmes/{world['programme'].pk}/", world["officer"].user),
        (f"/programmes/{world['programme'].pk}/utilisation/", world["officer"].user),
        (f"/programmes/{world['programme'].pk}/funnel/", world["officer"].user),
        (f"/programmes/{world['programme'].pk}/trials/", world["officer"].user),
        ("/regions/", None),
        (f"/programmes/{world['programme'].pk}/summary/", world["officer"].user),
        (f"/trials/request/{world['testbed'].slug}/", world["startup"].user),
        (
            f"{world['trial'].get_absolute_url()}kpis/{world['kpi'].pk}/correct/",
            world["startup"].user,
        ),
        (
            f"{world['trial'].get_absolute_url()}measurements/{world['measurement'].pk}/correct/",
            world["startup"].user,
        ),
    ]


def test_switching_to_cymraeg_shows_no_english_interface_text(world, catalogue):
    _, entries = catalogue
    for path, user in pages(world):
        english = english_client(user).get(path)
        welsh = welsh_client(user).get(path)
        assert english.status_code == welsh.status_code == 200, path
        english_html, welsh_html = english.content.decode(), welsh.content.decode()
        assert visible_text(english_html).html_lang == "en-gb", path
        assert visible_text(welsh_html).html_lang == "cy", path
        assert untranslated(english_html, welsh_html, world["data"]) == [], path
        assert english_msgids_left(welsh_html, entries) == [], path


def test_the_choice_is_remembered_and_can_be_undone(world):
    client = welsh_client(world["startup"].user)
    assert 'lang="cy"' in client.get("/trials/").content.decode()
    assert "Dod o hyd i welyau prawf" in client.get("/testbeds/").content.decode()
    client.post("/i18n/setlang/", {"language": "en-gb", "next": "/testbeds/"})
    assert "Find test beds" in client.get("/testbeds/").content.decode()


def test_dates_use_welsh_month_names(world):
    month = TODAY.month - 1
    client = welsh_client(world["startup"].user)
    testbed_page = client.get(world["testbed"].get_absolute_url()).content.decode()
    caption = re.search(r"<caption[^>]*>(.*?)</caption>", testbed_page, re.S).group(1)
    assert caption.strip() == f"{WELSH_MONTHS[month]} {TODAY.year}"
    trial_page = client.get(world["trial"].get_absolute_url()).content.decode()
    assert f"{TODAY.day} {WELSH_MONTHS[month]} {TODAY.year}" in trial_page
    # People's names are made up by Faker and may be "June …" or "… May": leave them out.
    people = [m.user.get_full_name() for m in world.values() if hasattr(m, "user")]
    for page in (testbed_page, trial_page):
        for name in people:
            page = page.replace(name, "")
        assert not [name for name in ENGLISH_MONTHS if re.search(rf"\b{name}\b", page)]


def test_content_stays_in_the_language_its_author_wrote(world):
    page = welsh_client(world["startup"].user).get(world["trial"].get_absolute_url())
    html = page.content.decode()
    assert "Smart bins on Keel Square" in html
    assert "Keel Square sensor street" in html


@pytest.mark.parametrize(
    ("path", "welsh", "english"),
    [
        ("/accounts/login/", "Mewngofnodi", "Forgot your password?"),
        ("/accounts/signup/", "Creu cyfrif", "Password (again)"),
        ("/accounts/password/reset/", "Ailosod fy nghyfrinair", "Reset my password"),
    ],
)
def test_allauth_pages_are_in_welsh(db, path, welsh, english):
    """allauth has no Welsh of its own: its strings are in our catalogue."""
    english_html = english_client().get(path).content.decode()
    welsh_html = welsh_client().get(path).content.decode()
    assert english in english_html
    assert welsh in welsh_html
    assert english not in welsh_html
    assert untranslated(english_html, welsh_html, set()) == []


def test_each_person_gets_e_mails_in_their_own_language(db, django_capture_on_commit_callbacks):
    """A Welsh-speaking start-up gets Welsh; the English-speaking provider gets English,
    whatever language the page that caused the e-mail was in."""
    startup = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    startup.user.language = "cy"
    startup.user.save()
    provider = MembershipFactory(organisation=OrganisationFactory(public_body=True), admin=True)
    testbed = TestBedFactory(organisation=provider.organisation, name="Keel Square")
    first_day = TODAY + datetime.timedelta(days=3)
    with translation.override("cy"), django_capture_on_commit_callbacks(execute=True):
        trial = services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=testbed,
            title="Smart bins",
            summary="Fill-level sensors on bins.",
            first_day=first_day,
            last_day=first_day + datetime.timedelta(days=5),
        )
    [request] = [m for m in mail.outbox if provider.user.email in m.to]
    assert request.subject == "[Test Bed Exchange] New trial request: Keel Square"
    mail.outbox.clear()
    with translation.override("en-gb"), django_capture_on_commit_callbacks(execute=True):
        services.trial_approve(actor=provider.user, trial=trial)
    [message] = [m for m in mail.outbox if startup.user.email in m.to]
    assert message.subject == "[Test Bed Exchange] Treial wedi'i gymeradwyo: Smart bins"
    assert "Mae eich treial ar Keel Square wedi'i gymeradwyo" in message.body
    assert "Dyddiadau:" in message.body
    assert f"{first_day.day} {WELSH_MONTHS[first_day.month - 1]} {first_day.year}" in message.body
    assert "approved" not in message.body
    assert "Dates" not in message.body


# --- the PDF evidence pack ----------------------------------------------------------------


def test_the_evidence_pack_pdf_is_written_in_welsh(content):  # noqa: F811
    """The renderer's own words follow the pack's language, not the active one; the trial's
    content stays as written."""
    from dataclasses import replace

    from trials.pdf.render import render_evidence_pack

    with translation.override("en-gb"):
        text = all_text(render_evidence_pack(replace(content, language="cy")))
    for welsh in ["Pecyn tystiolaeth", "Crynodeb gweithredol", "Llinell amser", "Cod dilysu"]:
        assert welsh in text
    assert re.search(r"Tudalen \d+ o \d+", text)
    assert [heading for heading in SECTIONS if heading in text] == []
    assert "Falls detection on an acute medical ward" in text


def test_the_language_link_is_remembered_for_e_mails_of_a_signed_in_person(db):
    member = MembershipFactory(organisation=OrganisationFactory(start_up=True))
    assert member.user.language == "en-gb"
    welsh_client(member.user)
    member.user.refresh_from_db()
    assert member.user.language == "cy"
    english = Client()
    english.force_login(member.user)
    assert english.get("/language/xx/").status_code == 404
    assert english.get("/language/en-gb/", {"next": "https://evil.example/"})["Location"] == "/"
    member.user.refresh_from_db()
    assert member.user.language == "en-gb"


def test_people_who_sign_up_in_welsh_get_welsh_e_mails(db):
    client = welsh_client()
    response = client.post(
        "/accounts/signup/",
        {
            "email": "dewi@example.org",
            "full_name": "Dewi Jones",
            "password1": "a-long-Welsh-passphrase-9",
            "password2": "a-long-Welsh-passphrase-9",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from accounts.models import User

    assert User.objects.get(email="dewi@example.org").language == "cy"


def sign_in(client: Client, user) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_signing_in_on_a_new_device_shows_the_persons_saved_language(db):
    member = MembershipFactory(organisation=OrganisationFactory(start_up=True))
    member.user.language = "cy"
    member.user.save(update_fields=["language"])
    client = Client()
    sign_in(client, member.user)
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    page = client.get("/testbeds/")
    assert page["Content-Language"] == "cy"
    assert "Chwilio" in page.content.decode()


def test_a_language_chosen_on_the_device_before_signing_in_is_kept(db):
    member = MembershipFactory(organisation=OrganisationFactory(start_up=True))
    member.user.language = "cy"
    member.user.save(update_fields=["language"])
    client = Client()
    client.get("/language/en-gb/", {"next": "/"})
    sign_in(client, member.user)
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en-gb"
    assert client.get("/testbeds/")["Content-Language"] == "en-gb"
