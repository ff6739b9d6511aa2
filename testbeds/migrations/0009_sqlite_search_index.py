"""Search on SQLite like PostgreSQL's: an FTS5 index of the listing's English and Welsh text
with the porter stemming tokenizer ("promenades" finds "promenade", "lampposts" finds
"lamppost"), kept up to date by triggers. PostgreSQL keeps its generated tsvector column.
"""

from django.db import migrations

from core.migration_ops import SQLiteOnlySQL

FORWARDS = [
    "CREATE VIRTUAL TABLE testbeds_testbed_fts USING fts5(name, name_cy, summary, summary_cy, description, description_cy, town, eligibility, content='testbeds_testbed', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER testbeds_testbed_fts_insert AFTER INSERT ON testbeds_testbed BEGIN INSERT INTO testbeds_testbed_fts(rowid, name, name_cy, summary, summary_cy, description, description_cy, town, eligibility) VALUES (new.id, new.name, new.name_cy, new.summary, new.summary_cy, new.description, new.description_cy, new.town, new.eligibility); END",
    "CREATE TRIGGER testbeds_testbed_fts_delete AFTER DELETE ON testbeds_testbed BEGIN INSERT INTO testbeds_testbed_fts(testbeds_testbed_fts, rowid, name, name_cy, summary, summary_cy, description, description_cy, town, eligibility) VALUES ('delete', old.id, old.name, old.name_cy, old.summary, old.summary_cy, old.description, old.description_cy, old.town, old.eligibility); END",
    "CREATE TRIGGER testbeds_testbed_fts_update AFTER UPDATE ON testbeds_testbed BEGIN INSERT INTO testbeds_testbed_fts(testbeds_testbed_fts, rowid, name, name_cy, summary, summary_cy, description, description_cy, town, eligibility) VALUES ('delete', old.id, old.name, old.name_cy, old.summary, old.summary_cy, old.description, old.description_cy, old.town, old.eligibility); INSERT INTO testbeds_testbed_fts(rowid, name, name_cy, summary, summary_cy, description, description_cy, town, eligibility) VALUES (new.id, new.name, new.name_cy, new.summary, new.summary_cy, new.description, new.description_cy, new.town, new.eligibility); END",
    "INSERT INTO testbeds_testbed_fts(testbeds_testbed_fts) VALUES ('rebuild')",
]

BACKWARDS = [
    "DROP TRIGGER IF EXISTS testbeds_testbed_fts_update",
    "DROP TRIGGER IF EXISTS testbeds_testbed_fts_delete",
    "DROP TRIGGER IF EXISTS testbeds_testbed_fts_insert",
    "DROP TABLE IF EXISTS testbeds_testbed_fts",
]


class Migration(migrations.Migration):
    dependencies = [("testbeds", "0008_welsh_listing")]

    operations = [SQLiteOnlySQL(sql=FORWARDS, reverse_sql=BACKWARDS)]
