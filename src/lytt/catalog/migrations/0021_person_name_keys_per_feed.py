"""A name without an image identifies a person within one feed only (`lytt.catalog.people`): each key made
from a person's name without an image, which held across feeds, becomes one key per feed the person
appears in (in the same scope), so a namesake in another feed is no longer taken for them. People already
joined that way stay one person until an operator splits them."""

from collections import defaultdict

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from lytt.catalog.people import NAME_AND_IMAGE, identity_keys


def keys_per_feed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    person_model = apps.get_model("catalog", "Person")
    key_model = apps.get_model("catalog", "PersonKey")
    names = dict(person_model.objects.values_list("pk", "name"))
    old_keys = key_model.objects.filter(key__startswith=f"{NAME_AND_IMAGE}:").values_list(
        "pk", "key", "person_id", "show_id", "episode_id", "episode__show_id", "by_operator"
    )
    found = [
        row for row in old_keys.order_by("pk") if row[1] == identity_keys(names[row[2]], "", "", None)[0]
    ]
    if not found:
        return
    shows_of: dict[int, set[int]] = defaultdict(set)
    people = sorted({row[2] for row in found})
    for start in range(0, len(people), 500):
        chunk = people[start : start + 500]
        for model, show in (("ShowPerson", "show_id"), ("EpisodePerson", "episode__show_id")):
            links = apps.get_model("catalog", model).objects.filter(person_id__in=chunk)
            for person_id, show_id in links.values_list("person_id", show).order_by().distinct():
                shows_of[person_id].add(show_id)
    made = []
    for _, _, person_id, show_id, episode_id, episode_show_id, by_operator in found:
        if episode_id is not None:
            feeds = {episode_show_id}
        elif show_id is not None:
            feeds = {show_id}
        else:
            feeds = shows_of[person_id]
        made += [
            key_model(
                key=identity_keys(names[person_id], "", "", feed)[0],
                person_id=person_id,
                show_id=show_id,
                episode_id=episode_id,
                by_operator=by_operator,
            )
            for feed in sorted(feeds)
        ]
    key_model.objects.bulk_create(made, batch_size=500, ignore_conflicts=True)
    ids = [row[0] for row in found]
    for start in range(0, len(ids), 500):
        key_model.objects.filter(pk__in=ids[start : start + 500]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0020_feed_claim_order_crawlable")]

    operations = [migrations.RunPython(keys_per_feed, migrations.RunPython.noop)]
