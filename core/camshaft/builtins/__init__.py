"""Camshaft's default plugins, registered like any other (see
``camshaft._kernel.plugin_manager.BUILTINS``)."""
