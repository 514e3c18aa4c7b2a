"""The bundled sample catalogue: real RSS files, parsed by the real parser and stored by the real ingest.

`load_sample_catalogue()` fills an empty database so that `lytt serve` shows a working site at once: the
reference show *Insight Myanmar* (the episodes named on the reference page) and a few invented shows across
categories, in Bokmål and English. Their artwork and audio are served by Lytt itself (see
`lytt.catalog.media`): tiny generated images (`media.py`) and audio computed per request as long as each
episode says (`audio.py`), so the sample plays offline.
"""

from __future__ import annotations

from lytt.web.sample.loader import FEEDS_DIR, SampleLoadResult, load_sample_catalogue, sample_feed_paths

__all__ = ["FEEDS_DIR", "SampleLoadResult", "load_sample_catalogue", "sample_feed_paths"]
