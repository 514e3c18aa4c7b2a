"""Subscriptions get Open Podcast API GUIDs (one random UUID per existing row), the later-GUID and
deletion marks, and deletions their status records."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import lytt.accounts.guids


def issue_guids(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Each existing subscription its own UUID (a field default would give every row the same one)."""
    Subscription = apps.get_model("accounts", "Subscription")
    for pk in Subscription.objects.values_list("pk", flat=True).iterator():
        Subscription.objects.filter(pk=pk).update(guid=str(uuid.uuid4()))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_listening_queue_bookmarks_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="guid",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(issue_guids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscription",
            name="guid",
            field=models.CharField(default=lytt.accounts.guids.random_guid, max_length=100),
        ),
        migrations.AddField(
            model_name="subscription",
            name="guid_given",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="subscription",
            name="new_guid",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AddField(
            model_name="subscription",
            name="guid_changed",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="subscription",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="subscription",
            index=models.Index(fields=["user", "guid"], name="subscription_guid"),
        ),
        migrations.CreateModel(
            name="SubscriptionDeletion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("PENDING", "PENDING"), ("SUCCESS", "SUCCESS"), ("FAILURE", "FAILURE")],
                        default="PENDING",
                        max_length=7,
                    ),
                ),
                ("message", models.CharField(blank=True, default="", max_length=500)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "subscription",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="accounts.subscription",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
