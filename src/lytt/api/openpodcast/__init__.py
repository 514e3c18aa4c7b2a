"""The Open Podcast API (openpodcastapi.org): its published subscriptions endpoint, at /v1/."""
