"""Message catalogs: ``<language>.py`` maps each English template that ``helpers.session.tr``
receives to its translation, placeholders kept (tests/test_locales.py checks both ways)."""
