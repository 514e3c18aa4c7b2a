"""/sitemap.xml: an index of show, episode, category and people sitemaps (50,000 URLs per page)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from lytt.catalog.models import Category, Episode, Person, Show


class ShowSitemap(Sitemap):
    changefreq = "daily"
    limit = 50_000

    def items(self) -> QuerySet[Show]:
        return Show.objects.filter(hidden=False).only("id", "slug", "updated_at").order_by("id")

    def location(self, item: Show) -> str:
        return reverse("web:show", args=[item.slug])

    def lastmod(self, item: Show) -> datetime:
        return item.updated_at


class EpisodeSitemap(Sitemap):
    changefreq = "monthly"
    limit = 50_000

    def items(self) -> QuerySet[Episode]:
        return (
            Episode.objects.filter(show__hidden=False)
            .select_related("show")
            .only("id", "slug", "updated_at", "show__slug")
            .order_by("id")
        )

    def location(self, item: Episode) -> str:
        return reverse("web:episode", args=[item.show.slug, item.slug])

    def lastmod(self, item: Episode) -> datetime:
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"

    def items(self) -> QuerySet[Category]:
        return Category.objects.only("id", "slug").order_by("id")

    def location(self, item: Category) -> str:
        return reverse("web:category", args=[item.slug])


class PersonSitemap(Sitemap):
    changefreq = "weekly"
    limit = 50_000

    def items(self) -> QuerySet[Person]:
        return Person.objects.only("id", "slug").order_by("id")

    def location(self, item: Person) -> str:
        return reverse("web:person", args=[item.slug])


SITEMAPS: dict[str, type[Sitemap]] = {
    "shows": ShowSitemap,
    "episodes": EpisodeSitemap,
    "categories": CategorySitemap,
    "people": PersonSitemap,
}
