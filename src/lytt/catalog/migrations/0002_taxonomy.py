"""Load Apple's podcast category taxonomy (see lytt.catalog.taxonomy)."""

from django.db import migrations


def load_taxonomy(apps, schema_editor):
    from lytt.catalog.taxonomy import sync_categories

    sync_categories(apps.get_model("catalog", "Category"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(load_taxonomy, migrations.RunPython.noop)]
