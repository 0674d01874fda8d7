from django.db import migrations


def forwards(apps, schema_editor):
    from teilhabe.offers.taxonomy import CATEGORIES, FUNDING_SOURCES

    Category = apps.get_model("offers", "Category")
    FundingSource = apps.get_model("offers", "FundingSource")
    for order, (code, name, plain, translations) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_plain": plain,
                "translations": translations,
                "sort_order": order * 10,
            },
        )
    for order, (code, name, kind, _rules, start, end) in enumerate(FUNDING_SOURCES, start=1):
        FundingSource.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "valid_from": start,
                "valid_until": end,
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("offers", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
