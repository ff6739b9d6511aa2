"""PostgreSQL only: full-text search column and index, and the capacity backstop.

- ``search_document``: a generated tsvector (name weighted A, summary B, the rest C)
  with a GIN index, used by the catalogue's search and ranking.
- ``booking_no_overlap_per_unit``: no two confirmed bookings of a test bed may hold
  the same unit on overlapping days. The booking service locks the test bed row
  and picks a free unit; this constraint refuses any code path that does not.
  It is deferrable so the service can re-pack units inside one transaction.
"""

from django.db import migrations

from core.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    dependencies = [("testbeds", "0002_sectors_technologies")]
    operations = [
        PostgresOnlySQL(
            "CREATE EXTENSION IF NOT EXISTS btree_gist;",
            reverse_sql=migrations.RunSQL.noop,
        ),
        PostgresOnlySQL(
            """
            ALTER TABLE testbeds_testbed ADD COLUMN search_document tsvector
            GENERATED ALWAYS AS (
                setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
                setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
                setweight(to_tsvector('english',
                    coalesce(description, '') || ' ' || coalesce(town, '') || ' ' ||
                    coalesce(eligibility, '')), 'C')
            ) STORED;
            CREATE INDEX testbed_search_document_gin ON testbeds_testbed
                USING gin (search_document);
            """,
            reverse_sql="""
            DROP INDEX IF EXISTS testbed_search_document_gin;
            ALTER TABLE testbeds_testbed DROP COLUMN IF EXISTS search_document;
            """,
        ),
        PostgresOnlySQL(
            """
            ALTER TABLE testbeds_booking ADD CONSTRAINT booking_no_overlap_per_unit
            EXCLUDE USING gist (
                testbed_id WITH =,
                unit WITH =,
                daterange(start, "end", '[)') WITH &&
            ) WHERE (status = 'confirmed')
            DEFERRABLE INITIALLY IMMEDIATE;
            CREATE INDEX booking_confirmed_days_gist ON testbeds_booking
                USING gist (testbed_id, daterange(start, "end", '[)'))
                WHERE (status = 'confirmed');
            """,
            reverse_sql="""
            ALTER TABLE testbeds_booking DROP CONSTRAINT IF EXISTS booking_no_overlap_per_unit;
            DROP INDEX IF EXISTS booking_confirmed_days_gist;
            """,
        ),
    ]
