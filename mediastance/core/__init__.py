"""The base layer: what collectors/, analysis/ and the application all stand on.

``config`` (the TOML settings and their types, over ``default_config.toml``),
``language`` (language and script of a text), and the database's shape and writers:
``storage`` (migrations, ``open_db``, ``ensure_db_shape``, the ``save_*`` writers) with
the tables, views and indexes its migrations create: ``rollups`` (trigger-kept tables),
``views`` (SQL views) and ``search_index`` (the word index).

Dependencies run one way: modules here import only each other, never collectors/,
analysis/ or the rest of ``mediastance`` (CLI, serve, run, demo, brief, alerts, ...), and
collectors/ and analysis/ import nothing of ``mediastance`` outside this package.
``tests/test_layers.py`` checks it.
"""
