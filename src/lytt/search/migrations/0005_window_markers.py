"""PostgreSQL: marker lexemes in every document, so that "the newest matches" is one GIN index scan.

Each row's tsvector gets lexemes naming the blocks of 4,096, 32,768 and 262,144 ids it falls in
(``' w12 245'``: id >> 12 = 245), and show rows a ``' kind show'`` lexeme. A search ANDs its query with the
blocks of the newest ids (see lytt.search.engine), and the GIN index intersects the two posting lists
itself: the heap is read only for rows that match in that window. The lexemes start with a space, which
no text-search parser ever puts in a lexeme, so no user query can match or prefix-match them.
SQLite needs nothing: FTS5 walks its doclists by descending rowid already. The (kind, id) index that
PostgreSQL used to walk backwards row by row (migration 0003) goes.
"""

from django.db import migrations

MARKERS = """
CREATE FUNCTION search_entry_markers(entry_id bigint, entry_kind text, title text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT format(
            $q$' w9 %s' ' w12 %s' ' w15 %s' ' w18 %s'$q$,
            entry_id >> 9, entry_id >> 12, entry_id >> 15, entry_id >> 18
        )::tsvector
        || CASE WHEN entry_kind = 'show' THEN $q$' kind show'$q$::tsvector ELSE ''::tsvector END
        || coalesce((
            SELECT array_to_tsvector(array_agg(DISTINCT ' t ' || left(word, n)))
            FROM unnest(tsvector_to_array(to_tsvector('simple', coalesce(title, ''))))
                AS word, generate_series(2, least(length(word), 6)) AS n
        ), ''::tsvector)
$fn$
"""

DOCUMENT = """
CREATE OR REPLACE FUNCTION search_entry_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.document :=
        setweight(to_tsvector(NEW.config::regconfig, coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector(NEW.config::regconfig,
            coalesce(NEW.author, '') || ' ' || coalesce(NEW.people, '')), 'B') ||
        setweight(to_tsvector(NEW.config::regconfig, coalesce(NEW.categories, '')), 'C') ||
        setweight(to_tsvector(NEW.config::regconfig, coalesce(NEW.body, '')), 'D')
        {markers};
    RETURN NEW;
END
$$
"""

FORWARD = [
    MARKERS,
    DOCUMENT.format(markers="|| search_entry_markers(NEW.id, NEW.kind, NEW.title)"),
    # Existing rows: append the markers without re-parsing their text.
    "ALTER TABLE search_searchentry DISABLE TRIGGER search_entry_document",
    "UPDATE search_searchentry SET document = document || search_entry_markers(id, kind, title)",
    "ALTER TABLE search_searchentry ENABLE TRIGGER search_entry_document",
]

BACKWARD = [
    DOCUMENT.format(markers=""),
    "ALTER TABLE search_searchentry DISABLE TRIGGER search_entry_document",
    "UPDATE search_searchentry SET document = "
    "ts_delete(document, tsvector_to_array(search_entry_markers(id, kind, title)))",
    "ALTER TABLE search_searchentry ENABLE TRIGGER search_entry_document",
    "DROP FUNCTION search_entry_markers(bigint, text, text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_gin_pending_list")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
