"""Python REST API Framework's quickstart, ported: an address book on the SQLAlchemy store."""
