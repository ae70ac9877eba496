"""Fill the search vectors (``tickets.0014`` added them empty) of the tickets already filed.

jieba cuts about 800,000 characters a second, so a desk of 100,000 tickets takes a minute
or two here. A larger desk is left to ``manage.py backfill_search``, which fills the same
vectors in the same short batches while people work (until then those tickets are found
by number and title only); this migration says so and moves on. Not atomic: each batch
is its own transaction, and running it again fills only what is still missing.
"""

from django.db import migrations

# Above this many tickets the backfill is the command's job, not the deploy's.
INLINE_LIMIT = 100_000


def fill(apps, schema_editor):
    # The module's current code on purpose: the vectors must be what the services write now.
    from tickets import search

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket WHERE search_document IS NULL")
        (missing,) = cursor.fetchone()
    if not missing:
        return
    if missing > INLINE_LIMIT:
        print(
            f"\n  {missing} tickets have no search vectors yet: run "
            "`manage.py backfill_search` (safe while the desk is in use)."
        )
        return
    search.backfill()


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("tickets", "0014_search_links_watchers_canned_views")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
