"""Large synthetic data for the benchmarks: ``seed_bench --testbeds N --bookings M``.

Everything it makes is marked ``bench-`` (organisation and test bed slugs, ``@bench.test``
users), so it sits beside the demo data and is removed without touching it.

- Test beds spread over the 12 regions (weighted roughly by population), with 1–3 sectors,
  0–3 technologies, capacities 1–5, TRL ranges, booking rules, costs, a few blackouts each;
  90 % published.
- Bookings over three years (one year ago to two years ahead), 7–90 days long (most are
  short). 85 % are confirmed and hold a unit: per test bed and unit the confirmed bookings
  form a non-overlapping sequence, so PostgreSQL's exclusion constraint holds and no day
  exceeds capacity. The rest are pending or released requests (no unit).
- ``--trials`` (default 2,000) of the bookings get a Trial with KPIs, measurements, log
  entries and events, in the status its dates imply. ``bench-startup@bench.test`` (admin of
  the first bench start-up) owns a share of them; the benchmarks sign in as that user.

Idempotent: when the bench rows already have the requested counts, nothing changes; otherwise
the old bench rows are deleted and the data is made again (``--force`` always remakes it).
On PostgreSQL the rows go in with COPY and the tables are vacuumed and analysed afterwards;
elsewhere (SQLite, for the tests) ``bulk_create`` does the same in batches.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Membership, Organisation, Programme, Region, User
from programmes.bench_adoption import make_adoptions
from testbeds.availability import rebuild_free_runs
from testbeds.models import (
    Blackout,
    Booking,
    FreeRun,
    Sector,
    SectorCode,
    Technology,
    TestBed,
    new_calendar_token,
)
from trials.models import Kpi, LogEntry, Measurement, Trial, TrialEvent, TrialStatus

PREFIX = "bench-"
STARTUP_EMAIL = "bench-startup@bench.test"
PROVIDER_EMAIL = "bench-provider@bench.test"
PAST_DAYS, FUTURE_DAYS = 365, 730
CONFIRMED_SHARE, PENDING_SHARE = 0.85, 0.08
BATCH = 5000

REGION_WEIGHTS = {
    Region.LONDON: 13,
    Region.SOUTH_EAST: 14,
    Region.NORTH_WEST: 11,
    Region.EAST_OF_ENGLAND: 9,
    Region.WEST_MIDLANDS: 9,
    Region.SOUTH_WEST: 8,
    Region.YORKSHIRE_HUMBER: 8,
    Region.EAST_MIDLANDS: 7,
    Region.SCOTLAND: 8,
    Region.WALES: 5,
    Region.NORTH_EAST: 4,
    Region.NORTHERN_IRELAND: 4,
}
TOWNS = {
    Region.NORTH_EAST: ["Sunderland", "Newcastle upon Tyne", "Middlesbrough", "Durham"],
    Region.NORTH_WEST: ["Manchester", "Liverpool", "Preston", "Lancaster"],
    Region.YORKSHIRE_HUMBER: ["Leeds", "Sheffield", "Hull", "York"],
    Region.EAST_MIDLANDS: ["Nottingham", "Leicester", "Derby", "Lincoln"],
    Region.WEST_MIDLANDS: ["Birmingham", "Coventry", "Wolverhampton", "Stoke-on-Trent"],
    Region.EAST_OF_ENGLAND: ["Cambridge", "Norwich", "Ipswich", "Peterborough"],
    Region.LONDON: ["Camden", "Greenwich", "Tower Hamlets", "Croydon"],
    Region.SOUTH_EAST: ["Oxford", "Brighton", "Southampton", "Milton Keynes"],
    Region.SOUTH_WEST: ["Bristol", "Plymouth", "Exeter", "Bath"],
    Region.WALES: ["Cardiff", "Swansea", "Newport", "Bangor"],
    Region.SCOTLAND: ["Glasgow", "Edinburgh", "Aberdeen", "Dundee"],
    Region.NORTHERN_IRELAND: ["Belfast", "Derry", "Newry", "Lisburn"],
}
PLACES = {
    SectorCode.HEALTH_CARE: ["Acute ward", "Care home", "Community clinic", "Hospital car park"],
    SectorCode.TRANSPORT: ["Bus depot", "Smart junction", "Rail station", "Park and ride"],
    SectorCode.ENERGY: ["Solar farm", "Heat network", "Substation yard", "EV charging hub"],
    SectorCode.BUILT_ENVIRONMENT: ["Housing estate", "Office block", "Bridge", "High street"],
    SectorCode.AGRICULTURE: ["Dairy farm", "Vertical farm", "Orchard", "Food hall"],
    SectorCode.MANUFACTURING: ["Factory floor", "Robotics cell", "Warehouse", "Foundry"],
    SectorCode.PUBLIC_SERVICES: ["Council depot", "Library", "Contact centre", "Recycling site"],
    SectorCode.EDUCATION: ["Campus", "Secondary school", "Lecture theatre", "Makerspace"],
    SectorCode.CULTURE_TOURISM: ["Museum", "Castle grounds", "Theatre", "Visitor centre"],
    SectorCode.DEFENCE_SECURITY: ["Training range", "Port gate", "Control room", "Airfield"],
}
SUMMARY = (
    "A working {place} in {town} open to close-to-market trials of {tech}: real users, "
    "real conditions and a named contact at {provider}."
)
DESCRIPTION = (
    "Trials run alongside everyday operations. The site has power, connectivity and secure "
    "storage; staff take part in induction and feedback sessions. Data stays in the UK and "
    "is shared under a data-sharing agreement. Suitable for sensors, analytics, autonomy and "
    "assistive technology that is ready for use with the public."
)
TECH_WORDS = ["sensors", "5G connectivity", "AI and data", "robotics", "drones", "digital twins"]
BLACKOUT_REASONS = ["Maintenance", "Public holiday closure", "Annual inspection", "Event"]
CAPACITY_WEIGHTS = {1: 35, 2: 25, 3: 20, 4: 10, 5: 10}


@dataclass(frozen=True)
class Plan:
    testbeds: int
    bookings: int
    trials: int
    seed: int
    today: datetime.date
    accepted: int = 0  # of the trials, accepted in one programme with adoption records

    @property
    def first_day(self) -> datetime.date:
        return self.today - datetime.timedelta(days=PAST_DAYS)

    @property
    def providers(self) -> int:
        return max(1, self.testbeds // 10)

    @property
    def startups(self) -> int:
        return max(2, min(500, self.testbeds // 20))


@dataclass
class Bed:
    """What the booking generator needs to know of a test bed."""

    id: int
    capacity: int


@dataclass
class Made:
    """Rows made, for the summary."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count


class Command(BaseCommand):
    help = "Create large synthetic data for the benchmarks (marked bench-, idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--testbeds", type=int, default=1000)
        parser.add_argument("--bookings", type=int, default=100_000)
        parser.add_argument("--trials", type=int, default=2000)
        parser.add_argument(
            "--accepted",
            type=int,
            default=0,
            help="of the trials, how many are accepted in one programme, with adoption records",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--force", action="store_true", help="remake even if counts match")

    def handle(self, *args: object, **options: object) -> None:
        plan = Plan(
            testbeds=int(options["testbeds"]),
            bookings=int(options["bookings"]),
            trials=min(int(options["trials"]), int(options["bookings"])),
            seed=int(options["seed"]),
            today=timezone.localdate(),
        )
        plan = dataclasses.replace(plan, accepted=min(int(options["accepted"]), plan.trials))
        if plan.testbeds < 1 or plan.bookings < 0:
            self.stderr.write("--testbeds must be at least 1 and --bookings at least 0.")
            return
        if not options["force"] and bench_counts() == expected_counts(plan):
            self.stdout.write(f"Bench data already there: {describe(bench_counts())}.")
            return
        started = time.perf_counter()
        with transaction.atomic():
            removed = delete_bench_data()
            made = seed(plan)
        analyse()
        seconds = time.perf_counter() - started
        if removed:
            self.stdout.write(f"Removed the old bench data ({removed} test beds).")
        self.stdout.write(
            self.style.SUCCESS(f"Bench data ready in {seconds:.1f} s: {describe(made.counts)}.")
        )


def describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{value:,} {name}" for name, value in counts.items())


def bench_beds() -> models.QuerySet[TestBed]:
    return TestBed.objects.filter(slug__startswith=PREFIX)


def bench_counts() -> dict[str, int]:
    trials = Trial.objects.filter(testbed__slug__startswith=PREFIX)
    return {
        "test beds": bench_beds().count(),
        "bookings": Booking.objects.filter(testbed__slug__startswith=PREFIX).count(),
        "trials": trials.count(),
        "accepted": trials.filter(adoption__isnull=False).count(),
    }


def expected_counts(plan: Plan) -> dict[str, int]:
    return {
        "test beds": plan.testbeds,
        "bookings": plan.bookings,
        "trials": plan.trials,
        "accepted": plan.accepted,
    }


# Removing ---------------------------------------------------------------------------------


def delete_bench_data() -> int:
    """Delete every bench row; the big tables by SQL, the rest through the ORM's cascades."""
    beds = bench_beds()
    count = beds.count()
    bed_ids = "SELECT id FROM testbeds_testbed WHERE slug LIKE %s"
    like = [f"{PREFIX}%"]
    Trial.objects.filter(testbed__in=beds).delete()
    with connection.cursor() as cursor:
        for table in ("testbeds_booking", "testbeds_blackout"):
            cursor.execute(f"DELETE FROM {table} WHERE testbed_id IN ({bed_ids})", like)
    beds.delete()
    Booking.objects.filter(organisation__slug__startswith=PREFIX).delete()
    Programme.objects.filter(team__slug__startswith=PREFIX).delete()
    Organisation.objects.filter(slug__startswith=PREFIX).delete()
    User.objects.filter(email__endswith="@bench.test").delete()
    return count


# Writing ----------------------------------------------------------------------------------


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert rows (values in ``fields`` order): COPY on PostgreSQL, bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, rows)
    count = 0
    for chunk in chunks(rows, BATCH):
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in chunk])
        count += len(chunk)
    return count


def _copy_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple]) -> int:
    from psycopg.types.json import Jsonb

    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in fields)
    json_at = [i for i, f in enumerate(fields) if isinstance(meta.get_field(f), models.JSONField)]
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                if json_at:
                    row = tuple(Jsonb(v) if i in json_at else v for i, v in enumerate(row))
                copy.write_row(row)
                count += 1
    return count


def chunks(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def analyse() -> None:
    """Fresh statistics and visibility maps, so plans are those of a settled database."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = [
        m._meta.db_table for m in (TestBed, Booking, Blackout, Trial, Organisation, Kpi, FreeRun)
    ] + [
        TestBed.sectors.through._meta.db_table,
        TestBed.technologies.through._meta.db_table,
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")


# Seeding ----------------------------------------------------------------------------------


def seed(plan: Plan) -> Made:
    rng = random.Random(plan.seed)
    made = Made()
    now = timezone.now()
    providers = make_organisations(plan, Organisation.Kind.PUBLIC_BODY, plan.providers, rng)
    startups = make_organisations(plan, Organisation.Kind.START_UP, plan.startups, rng)
    made.add("organisations", len(providers) + len(startups))
    startup_user = make_people(providers[0], startups[0])
    beds = make_testbeds(plan, providers, rng, now)
    made.add("test beds", len(beds))
    made.add("blackouts", make_blackouts(plan, beds, rng, now))
    bookings = list(generate_bookings(plan, beds, startups, rng, now))
    chosen = choose_trial_bookings(plan, bookings, startups[0], rng)
    made.add("bookings", insert_rows(Booking, BOOKING_FIELDS, drop_index(bookings, chosen)))
    trial_bookings = Booking.objects.bulk_create(
        [Booking(**dict(zip(BOOKING_FIELDS, bookings[i], strict=True))) for i in chosen],
        batch_size=1000,
    )
    made.add("bookings", len(trial_bookings))
    trials = make_trials(plan, trial_bookings, startup_user, rng, now)
    made.add("trials", len(trials))
    made.add("KPIs", make_trial_details(trials, startup_user, rng))
    if plan.accepted:
        for name, count in make_adoptions(trials, plan.accepted, rng).items():
            made.add(name, count)
    # Bulk inserts bypass the booking services, so the free runs are rebuilt here.
    rebuild_free_runs([bed.pk for bed in TestBed.objects.filter(organisation__in=providers)])
    made.add("free runs", FreeRun.objects.filter(testbed__organisation__in=providers).count())
    return made


def make_organisations(plan: Plan, kind: str, count: int, rng: random.Random) -> list[Organisation]:
    word = "provider" if kind == Organisation.Kind.PUBLIC_BODY else "startup"
    label = "Bench provider" if kind == Organisation.Kind.PUBLIC_BODY else "Bench start-up"
    regions = list(REGION_WEIGHTS)
    weights = list(REGION_WEIGHTS.values())
    organisations = [
        Organisation(
            kind=kind,
            name=f"{label} {n:05d}",
            slug=f"{PREFIX}{word}-{n:05d}",
            region=rng.choices(regions, weights)[0],
            description="Synthetic organisation made by seed_bench.",
        )
        for n in range(1, count + 1)
    ]
    return Organisation.objects.bulk_create(organisations, batch_size=1000)


def make_people(provider: Organisation, startup: Organisation) -> User:
    """A start-up admin and a provider admin the benchmarks can act as."""
    startup_user = User.objects.create_user(STARTUP_EMAIL, None, full_name="Bench Start-up")
    provider_user = User.objects.create_user(PROVIDER_EMAIL, None, full_name="Bench Provider")
    Membership.objects.bulk_create(
        [
            Membership(user=startup_user, organisation=startup, role=Membership.Role.ADMIN),
            Membership(user=provider_user, organisation=provider, role=Membership.Role.ADMIN),
        ]
    )
    return startup_user


TESTBED_FIELDS = (
    "organisation_id",
    "name",
    "slug",
    "summary",
    "description",
    "region",
    "town",
    "address",
    "postcode",
    "trl_min",
    "trl_max",
    "capacity",
    "facilities",
    "eligibility",
    "assurances",
    "assurances_note",
    "cost_model",
    "cost_amount",
    "cost_note",
    "min_days",
    "max_days",
    "notice_days",
    "horizon_days",
    "requires_approval",
    "terms_url",
    "contact_name",
    "contact_email",
    "contact_phone",
    "status",
    "status_reason",
    "calendar_token",
    "created_at",
    "updated_at",
    "published_at",
)


def testbed_row(
    n: int, provider: Organisation, sectors: list[str], rng: random.Random, now: datetime.datetime
) -> tuple:
    town = rng.choice(TOWNS[provider.region])
    place = rng.choice(PLACES[sectors[0]])
    trl_min = rng.randint(3, 7)
    cost = rng.choices(["free", "fixed", "per-day"], [50, 30, 20])[0]
    status = rng.choices(["published", "draft", "paused", "retired"], [90, 5, 3, 2])[0]
    created = now - datetime.timedelta(days=rng.randint(30, 900))
    summary = SUMMARY.format(
        place=place.lower(), town=town, tech=rng.choice(TECH_WORDS), provider=provider.name
    )
    return (
        provider.pk,
        f"{place} {n}, {town}",
        f"{PREFIX}{n:05d}-{slugify(place)}",
        summary[:300],
        DESCRIPTION,
        provider.region,
        town,
        f"{rng.randint(1, 200)} Station Road",
        "",
        trl_min,
        rng.randint(trl_min, 9),
        rng.choices(list(CAPACITY_WEIGHTS), list(CAPACITY_WEIGHTS.values()))[0],
        ["power", "wifi"],
        "UK-registered start-ups and SMEs.",
        rng.sample(["dpia", "insurance", "data-sharing"], rng.randint(0, 2)),
        "",
        cost,
        None if cost == "free" else Decimal(rng.choice([50, 250, 1000, 5000])),
        "",
        rng.choice([1, 7, 7, 14]),
        rng.choice([60, 90, 90, 180]),
        rng.choice([7, 14, 14, 28]),
        rng.choice([365, 540, 730]),
        rng.random() < 0.8,
        "",
        "Bench Contact",
        f"contact-{n}@bench.test",
        "",
        status,
        "",
        new_calendar_token(),
        created,
        created,
        created if status == "published" else None,
    )


def make_testbeds(
    plan: Plan, providers: list[Organisation], rng: random.Random, now: datetime.datetime
) -> list[Bed]:
    sector_ids = dict(Sector.objects.values_list("code", "id"))
    technology_ids = list(Technology.objects.values_list("id", flat=True))
    sectors_of = [rng.sample(list(sector_ids), rng.randint(1, 3)) for _ in range(plan.testbeds)]
    rows = (
        testbed_row(n + 1, providers[n % len(providers)], sectors_of[n], rng, now)
        for n in range(plan.testbeds)
    )
    insert_rows(TestBed, TESTBED_FIELDS, rows)
    beds = list(bench_beds().order_by("slug").values_list("id", "capacity"))
    sector_links = [
        (bed_id, sector_ids[code])
        for (bed_id, _), codes in zip(beds, sectors_of, strict=True)
        for code in codes
    ]
    technology_links = [
        (bed_id, tech)
        for bed_id, _ in beds
        for tech in rng.sample(technology_ids, rng.randint(0, 3))
    ]
    insert_rows(TestBed.sectors.through, ("testbed_id", "sector_id"), sector_links)
    insert_rows(TestBed.technologies.through, ("testbed_id", "technology_id"), technology_links)
    return [Bed(id=bed_id, capacity=capacity) for bed_id, capacity in beds]


def make_blackouts(plan: Plan, beds: list[Bed], rng: random.Random, now: datetime.datetime) -> int:
    span = PAST_DAYS + FUTURE_DAYS
    rows = []
    for bed in beds:
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            start = plan.first_day + datetime.timedelta(days=rng.randrange(span))
            end = start + datetime.timedelta(days=rng.randint(1, 21))
            rows.append((bed.id, start, end, rng.choice(BLACKOUT_REASONS), now))
    return insert_rows(Blackout, ("testbed_id", "start", "end", "reason", "created_at"), rows)


BOOKING_FIELDS = (
    "testbed_id",
    "organisation_id",
    "start",
    "end",
    "status",
    "unit",
    "created_at",
    "decided_at",
)


def booking_length(rng: random.Random, room: int) -> int:
    """7–90 days, most of them short; never more than ``room``."""
    return max(1, min(room, 7 + min(83, int(rng.expovariate(1 / 15)))))


def split(total: int, weights: list[int]) -> list[int]:
    """``total`` shared out in proportion to ``weights``, summing exactly to ``total``."""
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    for i in range(total - sum(shares)):
        shares[i % len(shares)] += 1
    return shares


def unit_sequence(plan: Plan, count: int, rng: random.Random) -> Iterator[tuple]:
    """``count`` non-overlapping [start, end) ranges over the three years, one per slot."""
    span = PAST_DAYS + FUTURE_DAYS
    count = min(count, span)
    for slot in range(count):
        lo, hi = slot * span // count, (slot + 1) * span // count
        length = booking_length(rng, hi - lo)
        offset = lo + rng.randint(0, hi - lo - length)
        start = plan.first_day + datetime.timedelta(days=offset)
        yield start, start + datetime.timedelta(days=length)


def generate_bookings(
    plan: Plan,
    beds: list[Bed],
    startups: list[Organisation],
    rng: random.Random,
    now: datetime.datetime,
) -> Iterator[tuple]:
    confirmed = round(plan.bookings * CONFIRMED_SHARE)
    made = 0
    per_bed = split(confirmed, [bed.capacity for bed in beds])
    for bed, count in zip(beds, per_bed, strict=True):
        for unit, unit_count in enumerate(split(count, [1] * bed.capacity), start=1):
            for start, end in unit_sequence(plan, unit_count, rng):
                made += 1
                yield booking_row(bed, rng.choice(startups), start, end, "confirmed", unit, now)
    for n in range(plan.bookings - made):
        yield request_row(plan, rng.choice(beds), rng.choice(startups), n, rng, now)


def request_row(
    plan: Plan,
    bed: Bed,
    startup: Organisation,
    n: int,
    rng: random.Random,
    now: datetime.datetime,
) -> tuple:
    """A pending request (mostly ahead) or a released booking (anywhere)."""
    pending = rng.random() < PENDING_SHARE / (1 - CONFIRMED_SHARE)
    lo = PAST_DAYS if pending else 0
    start = plan.first_day + datetime.timedelta(days=rng.randrange(lo, PAST_DAYS + FUTURE_DAYS))
    end = start + datetime.timedelta(days=booking_length(rng, 90))
    return booking_row(bed, startup, start, end, "pending" if pending else "released", None, now)


def booking_row(
    bed: Bed,
    startup: Organisation,
    start: datetime.date,
    end: datetime.date,
    status: str,
    unit: int | None,
    now: datetime.datetime,
) -> tuple:
    asked = min(now, now + datetime.timedelta(days=(start - now.date()).days - 30))
    decided = None if status == "pending" else asked + datetime.timedelta(days=3)
    return (bed.id, startup.pk, start, end, status, unit, asked, decided)


def choose_trial_bookings(
    plan: Plan, bookings: list[tuple], first_startup: Organisation, rng: random.Random
) -> list[int]:
    """Indexes of the bookings that get a trial; the first bench start-up gets a share."""
    chosen = sorted(rng.sample(range(len(bookings)), plan.trials))
    for i in chosen[: max(1, len(chosen) // 40)]:
        bookings[i] = (bookings[i][0], first_startup.pk, *bookings[i][2:])
    return chosen


def drop_index(rows: list[tuple], skip: list[int]) -> Iterator[tuple]:
    skipped = set(skip)
    return (row for i, row in enumerate(rows) if i not in skipped)


# Trials -----------------------------------------------------------------------------------


def trial_status(booking: Booking, today: datetime.date, rng: random.Random) -> str:
    if booking.status == Booking.Status.PENDING:
        return TrialStatus.REQUESTED
    if booking.status == Booking.Status.RELEASED:
        return rng.choice([TrialStatus.DECLINED, TrialStatus.WITHDRAWN, TrialStatus.CANCELLED])
    if booking.end <= today:
        return TrialStatus.COMPLETED
    return TrialStatus.ACTIVE if booking.start <= today else TrialStatus.APPROVED


def make_trials(
    plan: Plan,
    bookings: list[Booking],
    startup_user: User,
    rng: random.Random,
    now: datetime.datetime,
) -> list[Trial]:
    trials = [
        Trial(
            organisation_id=booking.organisation_id,
            testbed_id=booking.testbed_id,
            booking=booking,
            requested_by=startup_user,
            title=f"Bench trial {n + 1}: {rng.choice(TECH_WORDS)} in daily use",
            summary="Does the product work for real users in real conditions? " * 4,
            status=trial_status(booking, plan.today, rng),
            status_changed_at=booking.decided_at or booking.created_at,
            product_name=f"Product {n + 1}",
            objectives="Reduce response times by a third; keep false alarms under 5 %.",
            hypothesis="Staff act on alerts that arrive within a minute.",
            trl_start=6,
            trl_target=7,
        )
        for n, booking in enumerate(bookings)
    ]
    trials = Trial.objects.bulk_create(trials, batch_size=1000)
    events = [
        TrialEvent(
            trial=trial,
            actor=startup_user,
            actor_name="Bench Start-up",
            to_status=TrialStatus.REQUESTED,
            created_at=trial.booking.created_at,
        )
        for trial in trials
    ]
    events += [
        TrialEvent(trial=trial, from_status=TrialStatus.REQUESTED, to_status=trial.status)
        for trial in trials
        if trial.status != TrialStatus.REQUESTED
    ]
    TrialEvent.objects.bulk_create(events, batch_size=2000)
    return trials


def make_trial_details(trials: list[Trial], author: User, rng: random.Random) -> int:
    """2–4 KPIs with up to 8 measurements, and a few log entries, per trial."""
    kpis = [
        Kpi(
            trial=trial,
            position=position,
            name=f"Indicator {position + 1}: alerts acted on in time",
            unit="%",
            baseline=Decimal(40),
            target=Decimal(80),
            method="Share of alerts with a logged response inside five minutes.",
        )
        for trial in trials
        for position in range(rng.randint(2, 4))
    ]
    kpis = Kpi.objects.bulk_create(kpis, batch_size=2000)
    measurements = [
        Measurement(
            kpi=kpi,
            value=Decimal(40 + 5 * week),
            date=kpi.trial.booking.start + datetime.timedelta(days=7 * week),
            note="Weekly reading.",
            recorded_by=author,
        )
        for kpi in kpis
        for week in range(rng.randint(0, 8))
    ]
    Measurement.objects.bulk_create(measurements, batch_size=5000)
    entries = [
        LogEntry(
            trial=trial,
            kind=LogEntry.Kind.PROGRESS,
            date=trial.booking.start + datetime.timedelta(days=3 * n),
            text="Sensors installed and checked; staff briefed at handover.",
            author=author,
            author_name="Bench Start-up",
            organisation_id=trial.organisation_id,
        )
        for trial in trials
        for n in range(rng.randint(0, 5))
    ]
    LogEntry.objects.bulk_create(entries, batch_size=5000)
    return len(kpis)
