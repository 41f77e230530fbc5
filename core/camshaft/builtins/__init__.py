"""Camshaft's default plugins, registered like any other (see ``camshaft.plugins.BUILTINS``)."""
