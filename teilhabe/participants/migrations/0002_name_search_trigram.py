"""PostgreSQL: trigram indexes for the name search of the participant list.

The search (``selectors.participant_list_for``) filters with ``icontains`` on the names and
the transliteration (Django: ``UPPER(col::text) LIKE UPPER('%…%')``) and with ``contains`` on
the name key (``col::text LIKE '%…%'``).  A B-tree cannot serve a leading ``%``; GIN indexes
with ``gin_trgm_ops`` on exactly these expressions can.  SQLite: nothing to do (no-op).

``CREATE EXTENSION pg_trgm`` needs a role that may create extensions (the superuser, or the
database owner on PostgreSQL 13+ since pg_trgm is a trusted extension).  Without it the
migration leaves the indexes out and says so; the search still works, only slower.
"""

from django.db import migrations

TABLE = "participants_participant"
INDEXES = {
    "participant_first_trgm": 'UPPER("first_name"::text) gin_trgm_ops',
    "participant_last_trgm": 'UPPER("last_name"::text) gin_trgm_ops',
    "participant_translit_trgm": 'UPPER("name_transliteration"::text) gin_trgm_ops',
    "participant_namekey_trgm": '("name_key"::text) gin_trgm_ops',
}


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        present = cursor.fetchone() is not None
    if not present:
        from django.db import DatabaseError, transaction

        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as exc:  # no right to create extensions: search stays unindexed
            print(f"\n  pg_trgm not available ({exc}); name search without trigram indexes")
            return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{TABLE}" USING gin ({expression})'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
