"""Static file storage for production: compressed, hashed names, and module imports rewritten."""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage that also rewrites imports in our ES modules.

    ``static/js/app.mjs`` imports ``../vendor/govuk-frontend.min.js``; once both have hashed
    names the import must name the hashed file. Django rewrites module imports only in ``*.js``
    files, and only when asked; ours are ``*.mjs``, so the same patterns are applied to those.
    The vendored ``*.js`` files are left alone: they import nothing, and the patterns could
    mistake text inside minified code for an import.
    """

    patterns = (
        *ManifestStaticFilesStorage.patterns,
        ("*.mjs", ManifestStaticFilesStorage._js_module_import_aggregation_patterns[1]),
    )
