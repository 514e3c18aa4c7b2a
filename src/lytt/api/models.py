"""API keys: issued by operators (`lytt apikey create NAME`), used by apps for higher rate limits.

The secret is never stored. It is derived as HMAC-SHA512(SECRET_KEY, key + salt), so the server can
recompute it to check Podcast Index-style signatures (sha1(key + secret + date) needs the secret itself),
while a copy of the database alone reveals nothing; ``secret_hash`` (SHA-256 of the secret) lets the
derivation be checked. Rotating ``LYTT_SECRET_KEY`` therefore invalidates every secret: issue new keys.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

DEFAULT_KEY_RATE_PER_MINUTE = 600


class ApiKey(models.Model):
    name = models.CharField(max_length=200)
    key = models.CharField(max_length=40, unique=True)
    secret_salt = models.CharField(max_length=64)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)
    rate_limit_per_minute = models.PositiveIntegerField(default=DEFAULT_KEY_RATE_PER_MINUTE)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"
