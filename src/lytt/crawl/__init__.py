"""The crawler: fetch feeds safely and politely, schedule them, keep the catalogue fresh.

Django-free at import time; the worker (which uses the catalogue) is imported from `lytt.crawl.worker`.
"""

from lytt.crawl.errors import CrawlError, FetchError, ResponseTooLarge, TooManyRedirects, UnsafeURL
from lytt.crawl.fetch import USER_AGENT, FetchConfig, Fetcher, FetchRequest, FetchResult
from lytt.crawl.safety import AddressPolicy, check_url, classify

__all__ = [
    "USER_AGENT",
    "AddressPolicy",
    "CrawlError",
    "FetchConfig",
    "FetchError",
    "FetchRequest",
    "FetchResult",
    "Fetcher",
    "ResponseTooLarge",
    "TooManyRedirects",
    "UnsafeURL",
    "check_url",
    "classify",
]
