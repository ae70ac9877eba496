"""Seed the zh↔en glossary with a few hundred IT terms (knowledge/data/glossary.tsv).

Pairs already there are left as they are; migrating back removes the seeded pairs that
still read as seeded (an admin's own pairs stay).
"""

from pathlib import Path

from django.db import migrations
from django.utils import timezone

SEED = Path(__file__).resolve().parent.parent / "data" / "glossary.tsv"


def pairs():
    found = {}
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        zh, en = (part.strip() for part in line.split("\t"))
        found[(zh, en)] = None
    return list(found)


def seed(apps, schema_editor):
    GlossaryTerm = apps.get_model("knowledge", "GlossaryTerm")
    now = timezone.now()
    GlossaryTerm.objects.bulk_create(
        [GlossaryTerm(zh=zh, en=en, updated_at=now) for zh, en in pairs()],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    GlossaryTerm = apps.get_model("knowledge", "GlossaryTerm")
    for zh, en in pairs():
        GlossaryTerm.objects.filter(zh=zh, en=en).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
