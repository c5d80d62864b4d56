"""Frozen records: database triggers refuse changing or deleting published reports
(planning/immutable.py)."""
from django.db import migrations

from planning.immutable import FreezeRecords


class Migration(migrations.Migration):

    dependencies = [
        ('planning', '0004_frozen_records'),
        ('reports', '0001_initial'),
    ]

    operations = [
        FreezeRecords('publishedreport', allow_null_field='published_by_id'),
    ]
