"""A listener's data: follows, devices, subscriptions by URL, episode actions and play progress.

Two views of "what I listen to" are kept in step by `lytt.accounts.services`:

* `Follow` is the website's view: a user follows a `Show`.
* `Subscription` is the gpodder.net view: a user is subscribed to a feed URL, which may not be in the
  catalogue yet (then `show` is empty and is filled in when the feed has been crawled).

Subscriptions are per user, not per device: every device of a user sees the same list (as if all devices
were in one gpodder.net sync group), so that a follow on the website reaches every app. `SubscriptionChange`
is the append-only log that answers the v2 API's `since` queries. A device remembers the feeds it was last
told about, so that its full-list upload removes only what it had seen (`lytt.accounts.devicelists`).

`EpisodeAction` is one history for the web player and the apps; `PlayProgress` is the newest play position
per user and episode, kept in step with the actions (by the client's timestamp).

`Session` is Django's database session with the signed-in user's id beside the data, so that a page view
reads its session and its user in one statement (`lytt.accounts.sessions`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lytt.accounts.guids import MAX_GUID, random_guid


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    show = models.ForeignKey("catalog.Show", on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "show"], name="follow_unique")]
        indexes = [models.Index(fields=["show"], name="follow_show")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.show_id}"


class Device(models.Model):
    class Type(models.TextChoices):
        DESKTOP = "desktop", "desktop"
        LAPTOP = "laptop", "laptop"
        MOBILE = "mobile", "mobile"
        SERVER = "server", "server"
        OTHER = "other", "other"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    # The id exactly as the client sends it in the URL ([\w.-]+ on gpodder.net).
    device_id = models.CharField(max_length=100)
    caption = models.CharField(max_length=200, blank=True, default="")
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.OTHER)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The feed URLs this device was last told about or told us (accounts/devicelists.py); None: never.
    seen_urls = models.JSONField(null=True, blank=True, default=None)

    class Meta:
        ordering = ["device_id"]
        constraints = [models.UniqueConstraint(fields=["user", "device_id"], name="device_unique")]

    def __str__(self) -> str:
        return self.device_id


class Subscription(models.Model):
    """The current state: user U is (or was) subscribed to feed URL X.

    `guid` names it in the Open Podcast API (`lytt.accounts.guids`); `new_guid` is a later one it took
    (the show's podcast:guid once known, unless a client gave the GUID, or one a client set) and
    `guid_changed` when. `deleted_at` marks a
    subscription an app deleted with its listening data: the API answers 410 for it until it is added
    again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    url = models.URLField(max_length=2000)
    show = models.ForeignKey(
        "catalog.Show", null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    guid = models.CharField(max_length=MAX_GUID, default=random_guid)
    # The client sent `guid` (authoritative, by the specification): never replaced by the show's.
    guid_given = models.BooleanField(default=False)
    new_guid = models.CharField(max_length=MAX_GUID, blank=True, default="")
    guid_changed = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "url"], name="subscription_unique")]
        indexes = [
            models.Index(fields=["url"], name="subscription_url"),
            models.Index(fields=["user", "guid"], name="subscription_guid"),
        ]

    def __str__(self) -> str:
        return self.url


class SubscriptionChange(models.Model):
    """Append-only log of subscription changes; v2 `since` queries read it."""

    class Action(models.TextChoices):
        ADD = "add", "add"
        REMOVE = "remove", "remove"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    url = models.URLField(max_length=2000)
    action = models.CharField(max_length=6, choices=Action.choices)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["user", "received_at"], name="subchange_since")]


class EpisodeAction(models.Model):
    """One thing a listener did with an episode, from an app (gpodder.net API) or the web player."""

    class Action(models.TextChoices):
        NEW = "new", "new"
        DOWNLOAD = "download", "download"
        PLAY = "play", "play"
        DELETE = "delete", "delete"
        FLATTR = "flattr", "flattr"  # accepted by gpodder.net and mygpoclient; kept, never acted on

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    podcast_url = models.URLField(max_length=2000)
    episode_url = models.URLField(max_length=2000)
    show = models.ForeignKey(
        "catalog.Show", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    episode = models.ForeignKey(
        "catalog.Episode", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    guid = models.CharField(max_length=2000, blank=True, default="")
    action = models.CharField(max_length=8, choices=Action.choices)
    # Seconds; only play actions carry them.
    started = models.IntegerField(null=True, blank=True)
    position = models.IntegerField(null=True, blank=True)
    total = models.PositiveIntegerField(null=True, blank=True)
    timestamp = models.DateTimeField(help_text="When it happened, by the client's clock")
    received_at = models.DateTimeField(default=timezone.now, help_text="When the server stored it")

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["user", "received_at"], name="epaction_since"),
            models.Index(fields=["user", "-timestamp"], name="epaction_history"),
            # Ingest links actions of its feed URLs that have no show yet (accounts/signals.py); without
            # it every crawl chunk would read all unlinked actions (those of feeds never crawled pile up).
            # `show` leads though it is always NULL here: SQLite's planner, without statistics, then takes
            # this index (two constrained columns) over the foreign key's.
            models.Index(
                fields=["show", "podcast_url"], condition=Q(show__isnull=True), name="epaction_unlinked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.episode_url}"


class PlayProgress(models.Model):
    """The newest play position of a user in a catalogue episode (derived from play actions)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress")
    episode = models.ForeignKey("catalog.Episode", on_delete=models.CASCADE, related_name="+")
    started = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    finished = models.BooleanField(default=False)
    timestamp = models.DateTimeField(help_text="Client time of the play action this comes from")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "episode"], name="progress_unique")]
        indexes = [models.Index(fields=["user", "finished", "-timestamp"], name="progress_recent")]


class ClientSetting(models.Model):
    """gpodder.net settings: one JSON object per user, scope and target (device id, podcast/episode URL)."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", "account"
        DEVICE = "device", "device"
        PODCAST = "podcast", "podcast"
        EPISODE = "episode", "episode"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=8, choices=Scope.choices)
    target = models.CharField(max_length=2000, blank=True, default="")
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "target"], name="clientsetting_unique"),
        ]


class QueueEntry(models.Model):
    """One episode in a listener's queue ("Up next"); `position` orders the queue from 0, without gaps."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue")
    episode = models.ForeignKey("catalog.Episode", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "episode"], name="queue_unique")]
        indexes = [models.Index(fields=["user", "position"], name="queue_order")]

    def __str__(self) -> str:
        return f"{self.user_id} queue {self.position}: {self.episode_id}"


class Bookmark(models.Model):
    """A moment in an episode a listener kept, with an optional note."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    episode = models.ForeignKey("catalog.Episode", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(help_text="Seconds from the start")
    note = models.CharField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="bookmark_recent"),
            models.Index(fields=["user", "episode", "position"], name="bookmark_episode"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} bookmark {self.episode_id}@{self.position}"


class ApiToken(models.Model):
    """A personal API token: only its SHA-256 is kept; the token itself is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The first characters of the token, so that a listener can tell their tokens apart.
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SubscriptionDeletion(models.Model):
    """An Open Podcast API deletion of a subscription and its listening data, and how it ended."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "PENDING"
        SUCCESS = "SUCCESS", "SUCCESS"
        FAILURE = "FAILURE", "FAILURE"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(Subscription, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"deletion {self.pk}: {self.status}"


class Session(AbstractBaseSession):
    """Django's session row, and the id of the user it signs in (None when it signs no one in).

    The store writes `user` from the session's own data on every save (sign-in, cycling the key on it,
    sign-out), so the column never says more than the signed data does. No database constraint: a row
    saved while its user is being deleted must not fail the request; deleting a user through Django
    deletes their sessions, and a session whose user row is gone signs no one in.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )

    @classmethod
    def get_session_store_class(cls) -> Any:
        from lytt.accounts.sessions import SessionStore

        return SessionStore
