"""The catalogue: categories, shows, episodes, people, and the feeds they come from with their crawl state.

A `Show` is what listeners see; a `FeedSource` is a URL the crawler polls. Several URLs can feed one show
(a moved feed, the same podcast:guid under two URLs): they point at the same show, and one of them is the
show's canonical feed.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from lytt.catalog.collation import sort_key

MAX_ID = 2**63 - 1  # the largest id: both databases store ids as signed 64-bit integers


class Category(models.Model):
    """Apple's podcast taxonomy, with Bokmål and English names. Subcategories have a parent."""

    slug = models.SlugField(max_length=100, unique=True)
    apple_name = models.CharField(max_length=100, help_text="The name feeds use in itunes:category")
    name_en = models.CharField(max_length=100)
    name_nb = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name_en"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["parent", "apple_name"], name="category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name_en

    def name_for(self, language: str) -> str:
        return self.name_nb if language.startswith("nb") or language == "no" else self.name_en


class Person(models.Model):
    """A host or guest (podcast:person), shared across shows and episodes."""

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=320, unique=True)
    href = models.URLField(max_length=2000, blank=True, default="")
    img = models.URLField(max_length=2000, blank=True, default="")

    def __str__(self) -> str:
        return self.name


class Show(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=1000)
    author = models.CharField(max_length=1000, blank=True, default="")
    owner_name = models.CharField(max_length=1000, blank=True, default="")
    owner_email = models.CharField(max_length=320, blank=True, default="")
    link = models.URLField(max_length=2000, blank=True, default="")
    description_html = models.TextField(blank=True, default="")
    description_text = models.TextField(blank=True, default="")
    image_url = models.URLField(max_length=2000, blank=True, default="")
    language = models.CharField(max_length=35, blank=True, default="", db_index=True)
    explicit = models.BooleanField(null=True)
    show_type = models.CharField(max_length=10, blank=True, default="episodic")  # episodic | serial
    complete = models.BooleanField(default=False)
    podcast_guid = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # Apple's directory id, which feeds do not carry: from the Podcast Index dump (`catalog.podcastindex`).
    itunes_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    locked = models.BooleanField(default=False)
    medium = models.CharField(max_length=30, blank=True, default="")
    funding = models.JSONField(default=list, blank=True)  # [{url, text}]
    extra = models.JSONField(default=dict, blank=True)  # value, podroll, trailers, txt, license, ...
    categories = models.ManyToManyField(Category, through="ShowCategory", related_name="shows")
    primary_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="primary_shows"
    )
    people = models.ManyToManyField(Person, through="ShowPerson", related_name="shows")
    episode_count = models.PositiveIntegerField(default=0)  # kept in step by ingest
    # Indexed with the id (show_newest), for lists by newest episode paged by (date, id).
    latest_episode_at = models.DateTimeField(null=True, blank=True)
    # `lytt.catalog.collation.sort_key(title)`: A–Å in Norwegian order on both backends (show_alphabetical).
    sort_title = models.CharField(max_length=128, blank=True, default="", editable=False)
    # The charts' order as one number (`lytt.charts.scoring.popularity_order`), written by the charts
    # computation: category pages sort by it (show_popular).
    popularity = models.FloatField(default=0.0, editable=False)
    featured = models.BooleanField(default=False, db_index=True)
    hidden = models.BooleanField(default=False, help_text="Hidden from public lists and search")
    blocked = models.BooleanField(
        default=False,
        help_text="The feed asks not to be listed (podcast:block, itunes:block): hidden while it does",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["latest_episode_at", "id"], name="show_newest"),
            models.Index(fields=["sort_title", "id"], name="show_alphabetical"),
            models.Index(fields=["popularity", "id"], name="show_popular"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keeps `sort_title` in step with the title (ingest's bulk INSERT sets it through `show_fields`)."""
        self.sort_title = sort_key(self.title)
        fields = kwargs.get("update_fields")
        if fields is not None and "title" in fields and "sort_title" not in fields:
            kwargs["update_fields"] = [*fields, "sort_title"]
        super().save(*args, **kwargs)


class ShowCategory(models.Model):
    show = models.ForeignKey(Show, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["show", "category"], name="showcategory_unique"),
        ]


class PersonKey(models.Model):
    """One identity of a person, as ingest recognises them: a hash of their `href`, or of their exact name
    and image (`lytt.catalog.people.identity_keys`). A key without a show or episode holds everywhere; one
    with a show (or an episode) holds only there, and wins over the global one. Ingest only adds keys that
    are missing; an operator's merge moves keys and a split adds scoped ones, so a later crawl finds the
    people the operator made instead of undoing the change."""

    key = models.CharField(max_length=64, db_index=True)  # looked up in every scope at once
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="keys")
    show = models.ForeignKey("Show", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey("Episode", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    by_operator = models.BooleanField(default=False)  # made by a merge or split in the admin

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(show__isnull=True, episode__isnull=True),
                name="personkey_global_unique",
            ),
            models.UniqueConstraint(
                fields=["key", "show"],
                condition=models.Q(show__isnull=False, episode__isnull=True),
                name="personkey_show_unique",
            ),
            models.UniqueConstraint(
                fields=["key", "episode"],
                condition=models.Q(episode__isnull=False),
                name="personkey_episode_unique",
            ),
        ]


class ShowPerson(models.Model):
    show = models.ForeignKey(Show, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    role = models.CharField(max_length=100, default="host")
    group = models.CharField(max_length=100, default="cast")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["show", "person", "role"], name="showperson_unique"),
        ]


class Episode(models.Model):
    # No index of their own: every lookup by show is served by the indexes below that start with it, and a
    # slug is only ever looked up within its show (episode_unique_slug). Each index is written on every
    # episode ingested.
    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="episodes", db_index=False)
    slug = models.SlugField(max_length=140, db_index=False)
    # The identity ingest matches on: the guid, else the enclosure URL, else title+date (see ingest).
    match_key = models.CharField(max_length=64)
    guid = models.CharField(max_length=2000, blank=True, default="")
    title = models.CharField(max_length=1000)
    link = models.URLField(max_length=2000, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    published_raw = models.CharField(max_length=200, blank=True, default="")
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    enclosure_url = models.URLField(max_length=2000, blank=True, default="")
    enclosure_type = models.CharField(max_length=100, blank=True, default="")
    enclosure_length = models.BigIntegerField(null=True, blank=True)
    episode_number = models.IntegerField(null=True, blank=True)
    season = models.IntegerField(null=True, blank=True)
    episode_type = models.CharField(max_length=10, blank=True, default="full")
    explicit = models.BooleanField(null=True)
    image_url = models.URLField(max_length=2000, blank=True, default="")
    description_html = models.TextField(blank=True, default="")
    description_text = models.TextField(blank=True, default="")
    chapters_url = models.URLField(max_length=2000, blank=True, default="")
    chapters_type = models.CharField(max_length=100, blank=True, default="")
    chapters = models.JSONField(default=list, blank=True)  # inline [{start_seconds,title,href,image}]
    transcripts = models.JSONField(default=list, blank=True)  # [{url,type,language,rel}]
    soundbites = models.JSONField(default=list, blank=True)  # [{start_seconds,duration_seconds,title}]
    extra = models.JSONField(default=dict, blank=True)  # alternate enclosures, value, location, ...
    people = models.ManyToManyField(Person, through="EpisodePerson", related_name="episodes")
    # Set when the episode disappeared from its feed; it is kept, not deleted.
    vanished_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["show", "slug"], name="episode_unique_slug"),
            # Show first: a show's episodes are written next to each other in this index, where keys first
            # (random digests) put every new episode on another page of it. Ingest looks keys up within a
            # show only; across shows it goes through `ShowSketch`.
            models.UniqueConstraint(fields=["show", "match_key"], name="episode_unique_key"),
        ]
        indexes = [
            models.Index(fields=["show", "-published_at"], name="episode_show_newest"),
        ]

    def __str__(self) -> str:
        return self.title


class ShowSketch(models.Model):
    """One of the few episode keys a show is recognised by under another URL (`lytt.catalog.rows.sketch`):
    the smallest match keys, cut short, of the episodes with a guid it has ever had."""

    show = models.ForeignKey(Show, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "show"], name="showsketch_unique")]

    def __str__(self) -> str:
        return self.key


class EpisodePerson(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    role = models.CharField(max_length=100, default="host")
    group = models.CharField(max_length=100, default="cast")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "person", "role"], name="episodeperson_unique"),
        ]


#: The statuses of feeds the crawler checks (`lytt.crawl.claims`), in the order its queries name them:
#: SQLite uses a partial index only when the query's condition is written as the index's is.
CRAWLABLE_STATUSES = ("new", "active", "error")


class FeedSource(models.Model):
    """A feed URL and everything the crawler knows about polling it."""

    class Status(models.TextChoices):
        NEW = "new", "new (never fetched)"
        ACTIVE = "active", "active"
        ERROR = "error", "failing"
        DUPLICATE = "duplicate", "duplicate of another feed"
        RETIRED = "retired", "retired (gone or dead)"
        # Lytt's own sample catalogue, read from the package: listed like any live feed, never crawled.
        BUNDLED = "bundled", "bundled sample (never crawled)"

    url = models.URLField(max_length=2000, unique=True)
    show = models.ForeignKey(Show, null=True, blank=True, on_delete=models.SET_NULL, related_name="feeds")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    status_reason = models.CharField(max_length=300, blank=True, default="")
    private = models.BooleanField(default=False, help_text="URL carries a token: never list or log it")
    # Conditional requests and change detection.
    etag = models.CharField(max_length=500, blank=True, default="")
    last_modified = models.CharField(max_length=100, blank=True, default="")
    content_hash = models.CharField(max_length=64, blank=True, default="")
    # Scheduling. `next_check_at` is indexed with the popularity (feed_claim_order): claims take the most
    # overdue feeds first and, of feeds due at the same moment (a whole imported dump), the most popular.
    # The index holds crawlable feeds only: retired feeds keep their last planned check, which would
    # otherwise sit at the head of the index for every claim to step over.
    next_check_at = models.DateTimeField(default=timezone.now)
    check_interval_seconds = models.PositiveIntegerField(default=3600)
    not_before = models.DateTimeField(null=True, blank=True)  # Retry-After / max-age
    # Last outcome.
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_changed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    error_count = models.PositiveIntegerField(default=0)  # consecutive failures
    # Leased claims: a worker owns the feed until claimed_until; a dead worker's lease simply expires.
    claimed_by = models.CharField(max_length=100, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True, db_index=True)
    # The latest push that made it due (podping, WebSub, hub/pubnotify) and its reason.
    pushed_at = models.DateTimeField(null=True, blank=True)
    push_reason = models.CharField(max_length=100, blank=True, default="")
    added_at = models.DateTimeField(default=timezone.now)
    # The feed's id in the Podcast Index dump it was imported from: a re-import follows the feed by it
    # when its URL moves (`lytt.catalog.podcastindex`).
    podcastindex_id = models.BigIntegerField(null=True, blank=True, unique=True)
    # The polling tier (`lytt.crawl.tiers`: hot, active, quiet, dormant, failing; "" until decided) and
    # why, decided at import and after each check from the columns below.
    tier = models.CharField(max_length=10, blank=True, default="")
    tier_reason = models.CharField(max_length=200, blank=True, default="")
    # Popularity points (`lytt.crawl.tiers`): the dump's alone, and with Lytt's own plays and follows.
    podcastindex_popularity = models.FloatField(default=0.0)
    popularity = models.FloatField(default=0.0)
    # The newest episode's date: the dump's until the first crawl, then the feed's own.
    newest_item_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_check_at"], name="feed_due"),
            models.Index(
                fields=["next_check_at", "-popularity", "id"],
                name="feed_claim_order",
                condition=models.Q(status__in=CRAWLABLE_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        """The URL, redacted when it carries a token (admin lists, logs and messages use this)."""
        if self.private:
            from lytt.feeds.feed_urls import redact_url

            return redact_url(self.url)
        return self.url


class FeedCheck(models.Model):
    """One crawl outcome, for the admin and `lytt feeds`. Old rows are pruned by the crawler."""

    # No index of its own: feedcheck_recent (feed, -checked_at) serves every lookup by feed, and a second
    # index on feed alone took as many random-position writes as it for every check recorded.
    feed = models.ForeignKey(FeedSource, on_delete=models.CASCADE, related_name="checks", db_index=False)
    checked_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20)  # updated | unchanged | not_modified | error | gone | ...
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)
    bytes_received = models.PositiveIntegerField(default=0)
    new_episodes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-checked_at"]
        indexes = [models.Index(fields=["feed", "-checked_at"], name="feedcheck_recent")]


class EpisodeAttachment(models.Model):
    """A transcript or chapters file an episode links to, fetched by the crawler and stored parsed
    (`lytt.catalog.attachments`). One row per episode and kind: the transcript chosen among the feed's
    (`attachments.choose_transcript`), or the podcast:chapters file. The row keeps the fetch state
    (validators, schedule, the last error) beside the content, so a failed fetch keeps what was stored."""

    class Kind(models.TextChoices):
        TRANSCRIPT = "transcript", "transcript"
        CHAPTERS = "chapters", "chapters file"

    # No index of its own: the unique (episode, kind) constraint serves every lookup by episode.
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="attachments", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    url = models.URLField(max_length=2000)
    declared_type = models.CharField(max_length=100, blank=True, default="")  # the feed's type attribute
    language = models.CharField(max_length=35, blank=True, default="")
    # Loaded from the package (the sample catalogue), never fetched.
    local = models.BooleanField(default=False)
    # Fetching: conditional-request validators, schedule (a claim moves next_check_at past its lease).
    etag = models.CharField(max_length=500, blank=True, default="")
    last_modified = models.CharField(max_length=100, blank=True, default="")
    content_hash = models.CharField(max_length=64, blank=True, default="")
    next_check_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)  # when the content below was stored
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    error_count = models.PositiveIntegerField(default=0)
    # Content: transcript lines as [start, end, speaker, text] lists, or chapters as Episode.chapters has
    # them ({start_seconds, title, href, image}); `text` is a transcript's plain text, for search.
    format = models.CharField(max_length=10, blank=True, default="")
    items = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, default="")
    # The content as the episode page shows it, rendered when it is stored (by a receiver of
    # `signals.attachment_stored`) and named by the renderer that made it; empty until then.
    html = models.TextField(blank=True, default="")
    html_renderer = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "kind"], name="attachment_unique")]
        indexes = [models.Index(fields=["next_check_at"], name="attachment_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.url}"


class WebSubSubscription(models.Model):
    """Lytt's subscription to a feed's WebSub hub (`lytt.crawl.websub`): pushes are ingested at once."""

    class State(models.TextChoices):
        PENDING = "pending", "asked, awaiting the hub's verification"
        ACTIVE = "active", "verified: the hub pushes"
        DENIED = "denied", "the hub refused"
        FAILED = "failed", "the request failed"

    feed = models.OneToOneField(FeedSource, on_delete=models.CASCADE, related_name="websub")
    hub_url = models.URLField(max_length=2000)
    topic_url = models.URLField(max_length=2000)
    token = models.CharField(max_length=64, unique=True)  # the callback URL's unguessable part
    secret = models.CharField(max_length=64)  # the HMAC key the hub signs pushes with
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    pushes = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.topic_url} via {self.hub_url} ({self.state})"
