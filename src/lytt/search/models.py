"""The search index: one row per show and per episode, with the text that is searched.

The row is the source of truth for the backend index, which triggers keep in step (created in
migration 0002 per database vendor, 0003 added ``kind`` to the FTS5 table): on SQLite an external-content
FTS5 table ``search_fts`` whose rowid is ``SearchEntry.id``; on PostgreSQL a ``document tsvector`` column
with a GIN index, filled by a trigger with the row's text-search ``config`` (english, norwegian or simple)
and, since migration 0005, marker lexemes naming the blocks of ids the row falls in and the prefixes of
its title's words (see migration 0005 and lytt.search.pgplan).
"""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        SHOW = "show", "show"
        EPISODE = "episode", "episode"

    kind = models.CharField(max_length=7, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # searchentry_show_kind serves every lookup by show; an index of its own would be written on every row.
    show = models.ForeignKey("catalog.Show", on_delete=models.CASCADE, related_name="+", db_index=False)
    language = models.CharField(max_length=35, blank=True, default="")
    config = models.CharField(max_length=20, default="simple")  # PostgreSQL text-search configuration
    explicit = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    popularity = models.FloatField(default=0.0)  # 0..1, see lytt.search.ranking
    title = models.TextField(blank=True, default="")
    author = models.TextField(blank=True, default="")  # author, owner; for episodes also the show title
    people = models.TextField(blank=True, default="")
    categories = models.TextField(blank=True, default="")  # names in English and Bokmål
    body = models.TextField(blank=True, default="")  # show notes, truncated

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_unique_object"),
        ]
        indexes = [
            models.Index(fields=["show", "kind"], name="searchentry_show_kind"),
            # PostgreSQL walks it backwards for the newest shows matching a common word (see engine.py).
            models.Index(fields=["kind", "id"], name="searchentry_kind_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"


class SpellingWord(models.Model):
    """A word of the catalogue's titles, show names, people and categories: the spelling vocabulary.

    Forgiving search (`lytt.search.vocabulary`) looks query words up here: by ``fold`` (Norwegian
    letters), by stem, by prefix of ``word``, and for typos by the trigrams of ``fold`` (on SQLite an
    FTS5 trigram table kept by triggers, on PostgreSQL a pg_trgm GIN index; migration 0010).
    ``frequency`` counts how often the word was indexed: ingest adds to it, `lytt reindex` recounts it.
    """

    word = models.CharField(max_length=64, unique=True)  # case-folded, as typed otherwise
    fold = models.CharField(max_length=64, db_index=True)  # lytt.search.spelling.fold
    stem_nb = models.CharField(max_length=64, db_index=True)
    stem_en = models.CharField(max_length=64, db_index=True)
    frequency = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.word


class TranscriptChunk(models.Model):
    """A stretch of an episode's transcript (a few lines, `lytt.search.transcripts.chunks`), searched apart
    from shows and episodes so that long transcripts never slow title and notes search. Its full-text index
    is made per vendor in migration 0011 (FTS5 ``transcript_fts`` on SQLite, ``document`` on PostgreSQL)."""

    # Deleting an episode deletes its attachments and so these chunks: the episode and show columns only
    # spare the search a join, and need no index or constraint of their own.
    attachment = models.ForeignKey("catalog.EpisodeAttachment", on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(
        "catalog.Episode", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    show = models.ForeignKey(
        "catalog.Show", on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    start_seconds = models.PositiveIntegerField()
    text = models.TextField()

    def __str__(self) -> str:
        return f"episode {self.episode_id} at {self.start_seconds}s"
