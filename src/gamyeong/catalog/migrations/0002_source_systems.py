from django.db import migrations


def load(apps, schema_editor):
    from gamyeong.catalog.reference import load_source_systems

    load_source_systems(apps.get_model("catalog", "SourceSystem"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
