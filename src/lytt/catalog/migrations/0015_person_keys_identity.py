"""People get identity keys (`PersonKey`): the same person under two feeds is one person when their href,
or their exact name and image, agree. Existing people get their keys; people that now share a key are
merged into the oldest of them, their show and episode links moved without duplicates."""

from collections import defaultdict

import django.db.models.deletion
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from lytt.catalog.people import group_new, identity_keys
from lytt.catalog.people_edit import move_links


def add_keys(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    person_model = apps.get_model("catalog", "Person")
    key_model = apps.get_model("catalog", "PersonKey")
    found = list(person_model.objects.order_by("pk").values_list("pk", "name", "href", "img"))
    keys = [identity_keys(name, href, img, None) for _, name, href, img in found]
    members: dict[int, list[int]] = defaultdict(list)
    for (pk, *_), group in zip(found, group_new(keys), strict=True):
        members[group].append(pk)
    survivor_of: dict[int, int] = {}
    for pks in members.values():
        for pk in pks:
            survivor_of[pk] = pks[0]
        if len(pks) > 1:
            move_links(apps.get_model("catalog", "ShowPerson"), "show", pks[0], pks[1:])
            move_links(apps.get_model("catalog", "EpisodePerson"), "episode", pks[0], pks[1:])
            person_model.objects.filter(pk__in=pks[1:]).delete()
    wanted: dict[str, int] = {}
    for (pk, *_), person_keys in zip(found, keys, strict=True):
        for key in person_keys:
            wanted.setdefault(key, survivor_of[pk])
    key_model.objects.bulk_create(
        [key_model(key=key, person_id=pk) for key, pk in wanted.items()], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0014_attachment_html"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(db_index=True, max_length=64)),
                ("by_operator", models.BooleanField(default=False)),
                (
                    "episode",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.episode",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="keys", to="catalog.person"
                    ),
                ),
                (
                    "show",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalog.show",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("episode__isnull", True), ("show__isnull", True)),
                        fields=("key",),
                        name="personkey_global_unique",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("episode__isnull", True), ("show__isnull", False)),
                        fields=("key", "show"),
                        name="personkey_show_unique",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("episode__isnull", False)),
                        fields=("key", "episode"),
                        name="personkey_episode_unique",
                    ),
                ],
            },
        ),
        migrations.RunPython(add_keys, migrations.RunPython.noop),
    ]
