"""The Chief Executives' board report: its text, content, Markdown, PDF and partner statements.

Modules: ``placeholders`` (the figure placeholders a report's text may use), ``markdown``
(text to sanitised HTML), ``content`` (the report built from the data, pure), ``statements``
(a partner's statement, pure), ``changes`` (what changed since an issued report, pure),
``pdf`` (WeasyPrint, locked down), ``selectors`` (reads) and ``forms``.
"""
