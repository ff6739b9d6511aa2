"""A test bed's listing in Welsh beside the English (name, summary, description).

On PostgreSQL the search document also takes the Welsh text, with the 'simple'
configuration (PostgreSQL has no Welsh stemmer: words match as written, lower-cased),
weighted as the English: name A, summary B, the rest C.
"""

from django.db import migrations, models

from core.migration_ops import PostgresOnlySQL

ENGLISH_ONLY = """
    setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
    setweight(to_tsvector('english',
        coalesce(description, '') || ' ' || coalesce(town, '') || ' ' ||
        coalesce(eligibility, '')), 'C')
"""
BOTH = """
    setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
    setweight(to_tsvector('simple', coalesce(name_cy, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
    setweight(to_tsvector('simple', coalesce(summary_cy, '')), 'B') ||
    setweight(to_tsvector('english',
        coalesce(description, '') || ' ' || coalesce(town, '') || ' ' ||
        coalesce(eligibility, '')), 'C') ||
    setweight(to_tsvector('simple', coalesce(description_cy, '')), 'C')
"""


def _document(expression: str) -> str:
    return f"""
        DROP INDEX IF EXISTS testbed_search_document_gin;
        ALTER TABLE testbeds_testbed DROP COLUMN IF EXISTS search_document;
        ALTER TABLE testbeds_testbed ADD COLUMN search_document tsvector
            GENERATED ALWAYS AS ({expression}) STORED;
        CREATE INDEX testbed_search_document_gin ON testbeds_testbed
            USING gin (search_document);
    """


class Migration(migrations.Migration):
    dependencies = [("testbeds", "0007_booking_revision_db_default")]

    operations = [
        migrations.AddField(
            model_name="testbed",
            name="description_cy",
            field=models.TextField(blank=True, default="", db_default="", verbose_name="description in Welsh"),
        ),
        migrations.AddField(
            model_name="testbed",
            name="name_cy",
            field=models.CharField(
                blank=True, default="", db_default="", max_length=150, verbose_name="name in Welsh"
            ),
        ),
        migrations.AddField(
            model_name="testbed",
            name="summary_cy",
            field=models.CharField(
                blank=True, default="", db_default="", max_length=300, verbose_name="summary in Welsh"
            ),
        ),
        migrations.AlterField(
            model_name="testbed",
            name="summary",
            field=models.CharField(blank=True, max_length=300, verbose_name="summary"),
        ),
        PostgresOnlySQL(_document(BOTH), reverse_sql=_document(ENGLISH_ONLY)),
    ]
