"""Sessions move to Lytt's own table, which keeps the signed-in user's id beside the data (read with the
user in one statement). Unexpired sessions move with the id from their data, so nobody is signed out;
the reverse moves them back."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

BATCH = 1_000


def _user_id(store, data):  # type: ignore[no-untyped-def]
    """The id of the user an old row's data signs in (None if it signs no one in, or fails its signature)."""
    try:
        return int(store.decode(data).get("_auth_user_id"))
    except (TypeError, ValueError):
        return None


def move_sessions(apps, schema_editor):  # type: ignore[no-untyped-def]
    from django.contrib.sessions.backends.db import SessionStore

    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("accounts", "Session")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    store = SessionStore()
    rows = Old.objects.filter(expire_date__gt=timezone.now()).order_by("pk").iterator(chunk_size=BATCH)
    batch = []
    for row in rows:
        batch.append(
            New(row.session_key, row.session_data, row.expire_date, _user_id(store, row.session_data))
        )
        if len(batch) == BATCH:
            _save(User, New, batch)
            batch = []
    _save(User, New, batch)
    Old.objects.all().delete()


def _save(User, New, batch):  # type: ignore[no-untyped-def]
    known = set(
        User.objects.filter(pk__in={s.user_id for s in batch if s.user_id}).values_list("pk", flat=True)
    )
    for session in batch:
        if session.user_id not in known:
            session.user_id = None
    New.objects.bulk_create(batch)


def move_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    Old = apps.get_model("sessions", "Session")
    New = apps.get_model("accounts", "Session")
    for row in New.objects.order_by("pk").iterator(chunk_size=BATCH):
        Old.objects.update_or_create(
            session_key=row.session_key,
            defaults={"session_data": row.session_data, "expire_date": row.expire_date},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_subscription_guid_deletion"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),
        migrations.RunPython(move_sessions, move_back),
    ]
