"""The crawler: fetch feeds safely and politely, schedule them, keep the catalogue fresh.

Import what you need from its modules (`fetch`, `safety`, `worker`...). The package itself imports
nothing: the parser processes (`parser_pool`) start by importing it, and the fetcher's HTTP stack would
double their start-up time, which a crawl waits for before its first feed is stored.
"""
