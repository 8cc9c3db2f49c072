from django.db import migrations


def load(apps, schema_editor):
    from gamyeong.catalog.reference import read_csv

    model = apps.get_model("governance", "CaseRegisterEntry")
    for row in read_csv("gamyeong.catalog", "cases.csv"):
        model.objects.update_or_create(
            kind=row["kind"],
            number=int(row["number"]),
            defaults={
                "year": int(row["year"]),
                "institution": row["institution"],
                "title": row["title"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
