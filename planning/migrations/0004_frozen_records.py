"""Frozen records: a plan's versions and decisions protect the plan (deleting it would delete
what the council saw), and database triggers refuse changing or deleting count runs, plan
versions and review decisions (planning/immutable.py)."""
import django.db.models.deletion
from django.db import migrations, models

from planning.immutable import FreezeRecords


class Migration(migrations.Migration):

    dependencies = [
        ('planning', '0003_count_jobs'),
    ]

    operations = [
        migrations.AlterField(
            model_name='planversion',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='planning.strategyplan'),
        ),
        migrations.AlterField(
            model_name='reviewdecision',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='decisions', to='planning.strategyplan'),
        ),
        migrations.AlterField(
            model_name='reviewdecision',
            name='version',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='decision', to='planning.planversion'),
        ),
        FreezeRecords('countrun', allow_null_field='created_by_id'),
        FreezeRecords('planversion', allow_null_field='created_by_id'),
        FreezeRecords('reviewdecision', allow_null_field='reviewer_id'),
    ]
